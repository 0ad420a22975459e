import { totalmem } from "node:os";
import { computeAttemptCapLimit, isValidInterfaceName, type Step } from "@sesame/core";
import { and, bans, doors, eq, grants, gte, isNotNull, isNull, settings, trustedNetworks, type SesameDb } from "@sesame/db";
import type { BanEntry, GrantEntry } from "./books";
import { StoredPortsSchema, parseBanRow, parseGrantRow, type RejectedRow, type StoredBan, type StoredGrant } from "./db-rows";

/**
 * Reads of the shared database (synchronous better-sqlite3; in WAL mode
 * readers never wait for writers) and the small writes the worker queues.
 */

export type DoorRowWithId = typeof doors.$inferSelect;

export interface WorkerSettings {
  configVersion: number;
  interfaces: string[];
  backend?: "nftables" | "iptables";
  maxAttempts?: number;
  retentionDays?: number;
}

/**
 * Settings as the UI wrote them; a malformed value is ignored (and reported) rather than fatal.
 * maxAttempts is clamped to what this machine's memory allows (the UI checks the web host's
 * memory, which need not be the worker's, and a row may predate the check).
 */
export function loadSettings(db: SesameDb, warn: (msg: string) => void = () => {}, attemptCapLimit = computeAttemptCapLimit(totalmem())): WorkerSettings {
  const out: WorkerSettings = { configVersion: 0, interfaces: [] };
  for (const row of db.select().from(settings).all()) {
    const v: unknown = row.value;
    switch (row.key) {
      case "configVersion":
        if (typeof v === "number" && Number.isFinite(v)) out.configVersion = v;
        else warn(`settings.configVersion is not a number`);
        break;
      case "interfaces":
        if (Array.isArray(v) && v.every((x) => typeof x === "string" && isValidInterfaceName(x))) out.interfaces = v as string[];
        else warn(`settings.interfaces is not a list of interface names; ignored`);
        break;
      case "backend":
        if (v === "nftables" || v === "iptables") out.backend = v;
        else warn(`settings.backend must be nftables or iptables; ignored`);
        break;
      case "maxAttempts":
        if (typeof v === "number" && Number.isInteger(v) && v > 0) {
          out.maxAttempts = Math.min(v, attemptCapLimit);
          if (v > attemptCapLimit) warn(`settings.maxAttempts ${v} is more than this machine's memory allows; using ${attemptCapLimit}`);
        } else warn(`settings.maxAttempts must be a positive integer; ignored`);
        break;
      case "retentionDays":
        if (typeof v === "number" && Number.isInteger(v) && v > 0) out.retentionDays = v;
        break;
    }
  }
  return out;
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
    .prepare("SELECT id, ip, ports, door_id, door_name, expires_at, applied_expires_at FROM grants WHERE closed_at IS NULL AND expires_at > ? ORDER BY id")
    .all(now) as Record<string, unknown>[];
  const rows: StoredGrant[] = [];
  const rejected: RejectedRow[] = [];
  for (const r of raw) {
    const p = parseGrantRow(r, now);
    if (p.ok) rows.push(p.row);
    else rejected.push(p.rejected);
  }
  return { rows, rejected };
}

/**
 * Grants the UI closed (revoke) that the worker has not applied yet. A row
 * whose `ports` cannot be read revokes what the worker's books hold for it.
 */
export function loadUnappliedClosedGrants(db: SesameDb, since: number): { id: number; ip: string; doorName: string; ports: Step[]; closedReason: string | null }[] {
  const raw = db.$client
    .prepare("SELECT id, ip, door_name, ports, closed_reason FROM grants WHERE closed_at IS NOT NULL AND closed_at >= ? AND applied_closed_at IS NULL ORDER BY id")
    .all(since) as { id: number; ip: string; door_name: string; ports: unknown; closed_reason: string | null }[];
  return raw.map((r) => ({ id: r.id, ip: String(r.ip), doorName: String(r.door_name), ports: readPorts(r.ports), closedReason: r.closed_reason }));
}

function readPorts(text: unknown): Step[] {
  try {
    const p = StoredPortsSchema.safeParse(JSON.parse(String(text)));
    return p.success ? p.data : [];
  } catch {
    return [];
  }
}

/** Active bans, validated like loadOpenGrants. */
export function loadActiveBans(db: SesameDb, now: number): { rows: StoredBan[]; rejected: RejectedRow[] } {
  const raw = db.$client
    .prepare("SELECT id, ip, door_name, expires_at, applied_expires_at FROM bans WHERE lifted_at IS NULL AND expires_at > ? ORDER BY id")
    .all(now) as Record<string, unknown>[];
  const rows: StoredBan[] = [];
  const rejected: RejectedRow[] = [];
  for (const r of raw) {
    const p = parseBanRow(r, now);
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

// ---- writes (run inside DbWriter's flush transaction) ----

/** Refresh the open grant of (ip, door) or insert one: never two open rows for the same pair. */
export function upsertGrant(db: SesameDb, g: GrantEntry, now: number): void {
  const open = db
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.ip, g.ip), eq(grants.doorName, g.doorName), isNull(grants.closedAt)))
    .all();
  const [first, ...extra] = open;
  if (first) {
    db.update(grants).set({ expiresAt: g.expiresAt, appliedExpiresAt: g.expiresAt, ports: g.ports }).where(eq(grants.id, first.id)).run();
    // Rows stacked by an older version or a racing UI insert: close them as replaced.
    for (const x of extra) db.update(grants).set({ closedAt: now, closedReason: "replaced", appliedClosedAt: now }).where(eq(grants.id, x.id)).run();
    return;
  }
  db.insert(grants)
    .values({ ip: g.ip, family: g.family, ports: g.ports, doorId: g.doorId, doorName: g.doorName, openedAt: now, expiresAt: g.expiresAt, appliedExpiresAt: g.expiresAt })
    .run();
}

/** Close the IP's open grants (one door's when given) for `reason`. */
export function closeGrants(db: SesameDb, ip: string, doorName: string | undefined, reason: "close-sequence" | "banned", now: number): void {
  const where = doorName === undefined ? and(eq(grants.ip, ip), isNull(grants.closedAt)) : and(eq(grants.ip, ip), eq(grants.doorName, doorName), isNull(grants.closedAt));
  db.update(grants).set({ closedAt: now, closedReason: reason, appliedClosedAt: now }).where(where).run();
}

/** Insert a ban, or lengthen the IP's active one. */
export function upsertBan(db: SesameDb, b: BanEntry & { doorId: number | null }, now: number): void {
  const active = db.select({ id: bans.id, expiresAt: bans.expiresAt }).from(bans).where(and(eq(bans.ip, b.ip), isNull(bans.liftedAt))).get();
  if (active) {
    const expiresAt = Math.max(active.expiresAt, b.expiresAt);
    db.update(bans).set({ expiresAt, appliedExpiresAt: expiresAt }).where(eq(bans.id, active.id)).run();
    return;
  }
  db.insert(bans).values({ ip: b.ip, family: b.family, doorId: b.doorId, doorName: b.doorName, createdAt: now, expiresAt: b.expiresAt, appliedExpiresAt: b.expiresAt }).run();
}

/**
 * Close grants and lift bans whose time is up (the kernel already dropped
 * them) and record one event per row, all in the caller's transaction.
 */
export function closeExpired(db: SesameDb, now: number): { grants: number; bans: number } {
  const g = db.$client
    .prepare(
      "UPDATE grants SET closed_at = expires_at, closed_reason = 'expired', applied_closed_at = ? WHERE closed_at IS NULL AND expires_at <= ? RETURNING ip, door_id, door_name, expires_at",
    )
    .all(now, now) as { ip: string; door_id: number | null; door_name: string; expires_at: number }[];
  const b = db.$client
    .prepare(
      "UPDATE bans SET lifted_at = expires_at, lifted_reason = 'expired', applied_lifted_at = ? WHERE lifted_at IS NULL AND expires_at <= ? RETURNING ip, door_id, door_name, expires_at",
    )
    .all(now, now) as { ip: string; door_id: number | null; door_name: string; expires_at: number }[];
  const ins = db.$client.prepare("INSERT INTO events (ts, ip, door_id, door_name, kind, detail) VALUES (?, ?, ?, ?, ?, ?)");
  for (const r of g) ins.run(r.expires_at, r.ip, r.door_id, r.door_name, "grant-expired", "expired");
  for (const r of b) ins.run(r.expires_at, r.ip, r.door_id, r.door_name, "unban", "expired");
  return { grants: g.length, bans: b.length };
}

export function markGrantApplied(db: SesameDb, id: number, fields: { appliedExpiresAt?: number; appliedClosedAt?: number }): void {
  db.update(grants).set(fields).where(eq(grants.id, id)).run();
}

/** A row whose expiry was past its cap: store the clamped one (the UI then shows when it really closes). */
export function writeClampedGrantExpiry(db: SesameDb, id: number, expiresAt: number): void {
  db.update(grants).set({ expiresAt, appliedExpiresAt: expiresAt }).where(eq(grants.id, id)).run();
}

export function writeClampedBanExpiry(db: SesameDb, id: number, expiresAt: number): void {
  db.update(bans).set({ expiresAt, appliedExpiresAt: expiresAt }).where(eq(bans.id, id)).run();
}

export function markBanApplied(db: SesameDb, id: number, fields: { appliedExpiresAt?: number; appliedLiftedAt?: number }): void {
  db.update(bans).set(fields).where(eq(bans.id, id)).run();
}

/** Persist a one-time door's progress (the matcher never goes back to a used sequence anyway). */
export function writeDoorOneTimeIndex(db: SesameDb, doorId: number, index: number): void {
  db.update(doors).set({ oneTimeIndex: index }).where(eq(doors.id, doorId)).run();
}

/** Upsert a JSON setting (the worker's own keys only). */
export function writeSetting(db: SesameDb, key: string, value: unknown, now: number): void {
  db.insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
    .run();
}

export function readSetting(db: SesameDb, key: string): unknown {
  return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
}

/** Delete events older than the retention, a bounded batch at a time (never one long lock). */
export function pruneEvents(db: SesameDb, olderThan: number, batch = 5000): number {
  const r = db.$client
    .prepare("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? ORDER BY ts LIMIT ?)")
    .run(olderThan, batch);
  return r.changes;
}
