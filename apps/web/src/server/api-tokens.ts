import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { ApiTokenInput, ApiTokenScope } from "@sesame/core";
import { and, apiTokens, desc, eq, isNull } from "@sesame/db";
import type { Reader, Tx } from "./settings";

/**
 * Automation API tokens: `sst_` + 32 random bytes, shown once; the database
 * keeps the SHA-256 (looked up by its unique index) and the first characters.
 */

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export function createApiToken(tx: Tx, input: ApiTokenInput, actor: string, now = Date.now()): { token: string; row: ApiTokenRow } {
  const token = `sst_${randomBytes(32).toString("base64url")}`;
  const row = tx
    .insert(apiTokens)
    .values({
      name: input.name,
      scopes: input.scopes,
      sha256: sha256Hex(token),
      prefix: token.slice(0, 10),
      createdAt: now,
      createdBy: actor,
      expiresAt: input.expiresInDays === null ? null : now + input.expiresInDays * 86_400_000,
    })
    .returning()
    .get();
  return { token, row };
}

export function findApiTokens(db: Reader): ApiTokenRow[] {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.id)).all();
}

/** Revokes a live token; returns its row (null when there is none to revoke). */
export function revokeApiToken(tx: Tx, id: number, now = Date.now()): ApiTokenRow | null {
  return tx.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))).returning().get() ?? null;
}

export type TokenCheck = { ok: true; token: ApiTokenRow } | { ok: false; status: 401 | 403; code: string; message: string };

/** The token an `Authorization: Bearer` header names, if live and holding one of `scopes`; its last use is recorded. */
export function checkApiToken(db: Reader & { update: Tx["update"] }, authorization: string | null, scopes: readonly ApiTokenScope[], now = Date.now()): TokenCheck {
  const m = /^Bearer (sst_[A-Za-z0-9_-]{43})$/.exec(authorization?.trim() ?? "");
  if (!m) return { ok: false, status: 401, code: "unauthorized", message: "Send an API token as `Authorization: Bearer sst_…` (Settings → API tokens)." };
  const row = db.select().from(apiTokens).where(eq(apiTokens.sha256, sha256Hex(m[1]!))).get();
  if (!row || row.revokedAt !== null) return { ok: false, status: 401, code: "unauthorized", message: "This API token is unknown or revoked." };
  if (row.expiresAt !== null && row.expiresAt <= now) return { ok: false, status: 401, code: "unauthorized", message: "This API token has expired." };
  if (!scopes.some((s) => row.scopes.includes(s))) {
    return { ok: false, status: 403, code: "forbidden", message: `This token lacks the scope for this call (one of: ${scopes.join(", ")}).` };
  }
  db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  return { ok: true, token: row };
}
