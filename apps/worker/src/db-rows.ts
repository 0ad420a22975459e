import { MAX_BAN_SEC, MAX_GRANT_SEC, StoredPortsSchema, clampExpiry, normalizeIp, type Door, type Step } from "@sesame/core";
import { z } from "zod";

/**
 * The grant and ban rows the worker reads, validated one by one. The web app
 * writes them through zod already, but the file is shared, older versions
 * wrote rows too, and SQLite keeps whatever it is given (a text in an integer
 * column compares greater than every number, so a row with expires_at =
 * 'abc' is "open" forever). A bad row is skipped and named, never allowed to
 * fail the whole load or reach the kernel; an expiry past its cap is
 * shortened to the cap (MAX_GRANT_SEC / MAX_BAN_SEC from now).
 */

const IpSchema = z.string({ error: "ip is not text" }).refine((s) => normalizeIp(s) === s, { error: "ip is not a canonical IPv4 or IPv6 address" });

const ExpirySchema = z.number({ error: "expires_at is not a number" }).int({ error: "expires_at is not a whole number of ms" });

const PortsTextSchema = z
  .string({ error: "ports is not JSON text" })
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "ports is not valid JSON" });
      return z.NEVER;
    }
  })
  .pipe(StoredPortsSchema);

export const StoredGrantSchema = z.object({
  id: z.int(),
  ip: IpSchema,
  ports: PortsTextSchema,
  door_id: z.int().nullable(),
  door_name: z.string({ error: "door_name is not text" }),
  user_id: z.int().nullable().optional().catch(null),
  user_name: z.string().nullable().optional().catch(null),
  expires_at: ExpirySchema,
  applied_expires_at: z.number().nullable().catch(null),
});

export const StoredBanSchema = z.object({
  id: z.int(),
  ip: IpSchema,
  door_name: z.string({ error: "door_name is not text" }),
  user_id: z.int().nullable().optional().catch(null),
  user_name: z.string().nullable().optional().catch(null),
  expires_at: ExpirySchema,
  applied_expires_at: z.number().nullable().catch(null),
});

/** A row that was skipped, and why (for one log line naming it). */
export interface RejectedRow {
  table: "grants" | "bans";
  id: unknown;
  reason: string;
}

export interface StoredGrant {
  id: number;
  ip: string;
  family: 4 | 6;
  ports: Step[];
  doorId: number | null;
  doorName: string;
  userId: number | null;
  userName: string | null;
  /** Clamped to MAX_GRANT_SEC from now. */
  expiresAt: number;
  appliedExpiresAt: number | null;
  /** The row's expiry was past the cap (the caller writes the clamped one back). */
  clamped: boolean;
}

export interface StoredBan {
  id: number;
  ip: string;
  family: 4 | 6;
  doorName: string;
  expiresAt: number;
  appliedExpiresAt: number | null;
  clamped: boolean;
}

function describeIssues(e: z.ZodError): string {
  return e.issues.map((i) => i.message).join("; ");
}

function familyOf(ip: string): 4 | 6 {
  return ip.includes(":") ? 6 : 4;
}

export type Parsed<T> = { ok: true; row: T } | { ok: false; rejected: RejectedRow };

/** One raw `grants` row (snake_case columns, as SQLite returns them) checked and clamped. */
export function parseGrantRow(raw: Record<string, unknown>, now: number): Parsed<StoredGrant> {
  const r = StoredGrantSchema.safeParse(raw);
  if (!r.success) return { ok: false, rejected: { table: "grants", id: raw.id, reason: describeIssues(r.error) } };
  const g = r.data;
  const expiresAt = clampExpiry(g.expires_at, now, MAX_GRANT_SEC);
  return {
    ok: true,
    row: { id: g.id, ip: g.ip, family: familyOf(g.ip), ports: g.ports, doorId: g.door_id, doorName: g.door_name, userId: g.user_id ?? null, userName: g.user_name ?? null, expiresAt, appliedExpiresAt: g.applied_expires_at, clamped: expiresAt !== g.expires_at },
  };
}

export function parseBanRow(raw: Record<string, unknown>, now: number): Parsed<StoredBan> {
  const r = StoredBanSchema.safeParse(raw);
  if (!r.success) return { ok: false, rejected: { table: "bans", id: raw.id, reason: describeIssues(r.error) } };
  const b = r.data;
  const expiresAt = clampExpiry(b.expires_at, now, MAX_BAN_SEC);
  return { ok: true, row: { id: b.id, ip: b.ip, family: familyOf(b.ip), doorName: b.door_name, expiresAt, appliedExpiresAt: b.applied_expires_at, clamped: expiresAt !== b.expires_at } };
}

/** "grants row 7: ip is not a canonical IPv4 or IPv6 address" */
export function formatRejected(r: RejectedRow): string {
  return `${r.table} row ${JSON.stringify(r.id)}: ${r.reason}`;
}

/**
 * A door's firewall action checked before the engine gets it: open ports
 * strictly valid (they become protected ports, one bad one used to fail the
 * whole table), durations positive and no longer than the caps (a longer one
 * is shortened, with a note to log).
 */
export function checkDoorAction(door: Door): { ok: true; door: Door; note?: string } | { ok: false; reason: string } {
  const a = door.action;
  if (a.kind !== "open" && a.kind !== "ban") return { ok: true, door };
  if (a.kind === "open") {
    const ports = StoredPortsSchema.safeParse(a.ports);
    if (!ports.success) return { ok: false, reason: `open ports: ${describeIssues(ports.error)}` };
  }
  const max = a.kind === "open" ? MAX_GRANT_SEC : MAX_BAN_SEC;
  if (!Number.isInteger(a.durationSec) || a.durationSec < 1) return { ok: false, reason: `duration ${JSON.stringify(a.durationSec)} is not a whole number of seconds >= 1` };
  if (a.durationSec <= max) return { ok: true, door };
  return { ok: true, door: { ...door, action: { ...a, durationSec: max } }, note: `duration ${a.durationSec} s is over the cap; ${max} s used` };
}
