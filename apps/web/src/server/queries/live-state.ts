import "server-only";
import { asc, bans, desc, events, grants, gt, isNull, type SesameDb } from "@sesame/db";
import type { BanView, EventView, GrantView, LiveState } from "@/lib/live-types";
import { getWorkerHealth } from "./worker-status";

export type { BanView, EventView, GrantView, LiveState };

/** Open grants (not closed yet), soonest expiry first. */
export function findOpenGrants(db: SesameDb): GrantView[] {
  return db
    .select()
    .from(grants)
    .where(isNull(grants.closedAt))
    .orderBy(asc(grants.expiresAt))
    .limit(500)
    .all()
    .map((g) => ({
      id: g.id,
      ip: g.ip,
      doorName: g.doorName,
      ports: g.ports,
      openedAt: g.openedAt,
      expiresAt: g.expiresAt,
      applied: g.appliedExpiresAt === g.expiresAt,
    }));
}

/** Active bans (not lifted), soonest expiry first. */
export function findActiveBans(db: SesameDb, doorName?: string): BanView[] {
  return db
    .select()
    .from(bans)
    .where(isNull(bans.liftedAt))
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
  return { now, health: getWorkerHealth(db, now), grants: findOpenGrants(db), bans: findActiveBans(db) };
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

