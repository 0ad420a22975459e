import { and, bans, doors, eq, grants, isNull, settings, type SesameDb } from "@sesame/db";
import type { BanEntry, GrantEntry } from "./ledger";

/**
 * The small writes the worker queues: each runs inside the write-behind
 * queue's flush transaction (write-behind.ts), in order with the others.
 */

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
    .values({ ip: g.ip, family: g.family, ports: g.ports, doorId: g.doorId, doorName: g.doorName, userId: g.userId ?? null, userName: g.userName ?? null, openedAt: now, expiresAt: g.expiresAt, appliedExpiresAt: g.expiresAt })
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

/** Delete events older than the retention, a bounded batch at a time (never one long lock). */
export function pruneEvents(db: SesameDb, olderThan: number, batch = 5000): number {
  const r = db.$client
    .prepare("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? ORDER BY ts LIMIT ?)")
    .run(olderThan, batch);
  return r.changes;
}
