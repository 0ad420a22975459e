import "server-only";
import { and, asc, bans, desc, eq, events, getTableColumns, grants, gt, isNull, or, sql, type SesameDb } from "@sesame/db";
import { parseStoredPorts } from "@sesame/core";
import { KERNEL_EXPIRY_SLACK_MS } from "@/lib/live-types";
import type { BanView, EventView, GrantView, LiveState } from "@/lib/live-types";
import { getWorkerHealth } from "./worker-status";

export type { BanView, EventView, GrantView, LiveState };

/**
 * Open grants, soonest expiry first: not closed yet, or expired so recently
 * that the kernel may still hold them (KERNEL_EXPIRY_SLACK_MS).
 */
export function findOpenGrants(db: SesameDb, now = Date.now()): GrantView[] {
  const heldSince = now - KERNEL_EXPIRY_SLACK_MS;
  return db
    .select({ ...getTableColumns(grants), ports: sql<string>`${grants.ports}` })
    .from(grants)
    .where(or(isNull(grants.closedAt), and(eq(grants.closedReason, "expired"), gt(grants.closedAt, heldSince))))
    .orderBy(asc(grants.expiresAt))
    .limit(500)
    .all()
    .map((g) => ({
      id: g.id,
      ip: g.ip,
      doorName: g.doorName,
      userName: g.userName,
      ports: parseStoredPorts(g.ports),
      openedAt: g.openedAt,
      expiresAt: g.expiresAt,
      applied: g.appliedExpiresAt === g.expiresAt,
    }));
}

/** Active bans, soonest expiry first: not lifted, or expired so recently that the kernel may still hold them. */
export function findActiveBans(db: SesameDb, doorName?: string, now = Date.now()): BanView[] {
  const heldSince = now - KERNEL_EXPIRY_SLACK_MS;
  return db
    .select()
    .from(bans)
    .where(or(isNull(bans.liftedAt), and(eq(bans.liftedReason, "expired"), gt(bans.liftedAt, heldSince))))
    .orderBy(asc(bans.expiresAt))
    .limit(1000)
    .all()
    .filter((b) => doorName === undefined || b.doorName === doorName)
    .map((b) => ({
      id: b.id,
      ip: b.ip,
      doorName: b.doorName,
      createdAt: b.createdAt,
      expiresAt: b.expiresAt,
      applied: b.appliedExpiresAt === b.expiresAt,
    }));
}

export function readLiveState(db: SesameDb, now = Date.now()): LiveState {
  return { now, health: getWorkerHealth(db, now), grants: findOpenGrants(db, now), bans: findActiveBans(db, undefined, now) };
}

export function findEventsAfter(db: SesameDb, afterId: number, limit = 500): EventView[] {
  return db.select().from(events).where(gt(events.id, afterId)).orderBy(asc(events.id)).limit(limit).all();
}

export function findRecentEvents(db: SesameDb, limit = 200): EventView[] {
  return db.select().from(events).orderBy(desc(events.id)).limit(limit).all().reverse();
}

export function latestEventId(db: SesameDb): number {
  return db.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1).get()?.id ?? 0;
}

