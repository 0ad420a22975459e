import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { eq, settings } from "@sesame/db";
import { z } from "zod";
import type { Reader, Tx } from "../settings";

/**
 * The bearer token Prometheus scrapes /metrics with. Only its SHA-256 is
 * stored (a settings row the worker never reads); the token itself is shown
 * once, when created or rotated. 32 random bytes: a fast hash is enough, no
 * one can guess their way to a preimage.
 */

const KEY = "metricsToken";

const StoredSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The first characters, so the admin can tell which token Prometheus has. */
  prefix: z.string().max(16),
  createdAt: z.number(),
  createdBy: z.string(),
});
export type StoredMetricsToken = z.infer<typeof StoredSchema>;

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function readMetricsToken(db: Reader): StoredMetricsToken | null {
  const row = db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).get();
  const parsed = StoredSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : null;
}

/** A new token (returned once) replacing any previous one. */
export function rotateMetricsToken(tx: Tx, actor: string, now = Date.now()): { token: string; stored: StoredMetricsToken } {
  const token = `smt_${randomBytes(32).toString("base64url")}`;
  const stored: StoredMetricsToken = { sha256: sha256(token), prefix: token.slice(0, 10), createdAt: now, createdBy: actor };
  tx.insert(settings).values({ key: KEY, value: stored, updatedAt: now }).onConflictDoUpdate({ target: settings.key, set: { value: stored, updatedAt: now } }).run();
  return { token, stored };
}

export function removeMetricsToken(tx: Tx): void {
  tx.delete(settings).where(eq(settings.key, KEY)).run();
}

/** Whether an `Authorization` header carries the stored token (constant-time compare of the hashes). */
export function isMetricsBearer(stored: StoredMetricsToken, authorization: string | null): boolean {
  const m = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization?.trim() ?? "");
  if (!m) return false;
  return timingSafeEqual(Buffer.from(sha256(m[1]!), "hex"), Buffer.from(stored.sha256, "hex"));
}
