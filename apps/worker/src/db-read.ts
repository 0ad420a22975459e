import { totalmem } from "node:os";
import { SETTING_DEFAULTS, computeAttemptCapLimit, parseStoredPorts, parseStoredSettings, type Settings, type Step } from "@sesame/core";
import { and, bans, doors, eq, gte, isNotNull, isNull, settings, trustedNetworks, type SesameDb } from "@sesame/db";
import { parseBanRow, parseGrantRow, type RejectedRow, type StoredBan, type StoredGrant } from "./db-rows";

/**
 * Reads of the shared database (synchronous better-sqlite3; in WAL mode
 * readers never wait for writers). The writes are in db-write.ts.
 */

export type DoorRowWithId = typeof doors.$inferSelect;

/** The settings as stored: the keys the admin set (core's one schema), configVersion and interfaces always. */
export type WorkerSettings = Partial<Settings> & Pick<Settings, "configVersion" | "interfaces">;

/**
 * Settings as the UI wrote them; a malformed value is ignored (and reported) rather than fatal.
 * maxAttempts is clamped to what this machine's memory allows (the UI checks the web host's
 * memory, which need not be the worker's, and a row may predate the check).
 */
export function loadSettings(db: SesameDb, warn: (msg: string) => void = () => {}, attemptCapLimit = computeAttemptCapLimit(totalmem())): WorkerSettings {
  const stored = parseStoredSettings(db.select().from(settings).all(), { attemptCapLimit, warn });
  return { ...stored, configVersion: stored.configVersion ?? SETTING_DEFAULTS.configVersion, interfaces: stored.interfaces ?? SETTING_DEFAULTS.interfaces };
}

export function loadDoorRows(db: SesameDb): DoorRowWithId[] {
  return db.select().from(doors).orderBy(doors.id).all();
}

export interface TrustedEntry {
  cidr: string;
  expiresAt: number | null;
}

export function loadTrusted(db: SesameDb, now: number): TrustedEntry[] {
  return db
    .select({ cidr: trustedNetworks.cidr, expiresAt: trustedNetworks.expiresAt })
    .from(trustedNetworks)
    .all()
    .filter((t) => t.expiresAt === null || t.expiresAt > now);
}

/**
 * Still-open rows: `expires_at > now` also keeps a non-numeric expiry (SQLite
 * orders text after every number), so such a row is named and skipped below
 * instead of silently staying open. Raw rows, so one bad `ports` JSON cannot
 * throw for the whole query.
 */
export function loadOpenGrants(db: SesameDb, now: number): { rows: StoredGrant[]; rejected: RejectedRow[] } {
  const raw = db.$client
    .prepare("SELECT id, ip, ports, door_id, door_name, user_id, user_name, expires_at, applied_expires_at FROM grants WHERE closed_at IS NULL AND expires_at > ? ORDER BY id")
    .all(now) as Record<string, unknown>[];
  return sortRows(raw, (r) => parseGrantRow(r, now));
}

/**
 * Grants the UI closed (revoke) that the worker has not applied yet. A row
 * whose `ports` cannot be read revokes what the worker's ledger hold for it.
 */
export function loadUnappliedClosedGrants(db: SesameDb, since: number): { id: number; ip: string; doorName: string; ports: Step[]; closedReason: string | null }[] {
  const raw = db.$client
    .prepare("SELECT id, ip, door_name, ports, closed_reason FROM grants WHERE closed_at IS NOT NULL AND closed_at >= ? AND applied_closed_at IS NULL ORDER BY id")
    .all(since) as { id: number; ip: string; door_name: string; ports: unknown; closed_reason: string | null }[];
  return raw.map((r) => ({ id: r.id, ip: String(r.ip), doorName: String(r.door_name), ports: parseStoredPorts(r.ports), closedReason: r.closed_reason }));
}

/** Active bans, validated like loadOpenGrants. */
export function loadActiveBans(db: SesameDb, now: number): { rows: StoredBan[]; rejected: RejectedRow[] } {
  const raw = db.$client
    .prepare("SELECT id, ip, door_name, expires_at, applied_expires_at FROM bans WHERE lifted_at IS NULL AND expires_at > ? ORDER BY id")
    .all(now) as Record<string, unknown>[];
  return sortRows(raw, (r) => parseBanRow(r, now));
}

/** Raw rows into the valid ones and the rejected ones (each named, for one log line). */
function sortRows<T>(raw: Record<string, unknown>[], parse: (r: Record<string, unknown>) => { ok: true; row: T } | { ok: false; rejected: RejectedRow }): { rows: T[]; rejected: RejectedRow[] } {
  const rows: T[] = [];
  const rejected: RejectedRow[] = [];
  for (const r of raw) {
    const p = parse(r);
    if (p.ok) rows.push(p.row);
    else rejected.push(p.rejected);
  }
  return { rows, rejected };
}

export function loadUnappliedLiftedBans(db: SesameDb, since: number): { id: number; ip: string; doorName: string }[] {
  return db
    .select({ id: bans.id, ip: bans.ip, doorName: bans.doorName })
    .from(bans)
    .where(and(isNotNull(bans.liftedAt), gte(bans.liftedAt, since), isNull(bans.appliedLiftedAt)))
    .all();
}

export function readSetting(db: SesameDb, key: string): unknown {
  return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
}
