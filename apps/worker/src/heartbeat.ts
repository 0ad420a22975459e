import { workerStatus, type SesameDb } from "@sesame/db";
import { closeExpired, pruneEvents } from "./db-write";
import type { WriteBehind } from "./write-behind";

/**
 * The worker's heartbeat: one workerStatus row (id 1) the UI reads to show
 * "worker alive", what it listens on, what config version it has applied
 * and its last error. Written through the write-behind queue as a
 * latest-wins op, so a locked database delays it but never piles it up.
 */

export interface StatusSnapshot {
  pid: number;
  startedAt: number;
  interfaces: string[];
  backend: string;
  appliedConfigVersion: number;
  lastError: string | null;
  lastErrorAt: number | null;
  stats: Record<string, number>;
}

export function upsertStatus(db: SesameDb, s: StatusSnapshot, now: number): void {
  const row = { ...s, heartbeatAt: now };
  db.insert(workerStatus)
    .values({ id: 1, ...row })
    .onConflictDoUpdate({ target: workerStatus.id, set: row })
    .run();
}

export interface HeartbeatOptions {
  writer: WriteBehind;
  now: () => number;
  snapshot: () => StatusSnapshot;
  /** Events older than this many days are pruned (hourly). */
  retentionDays: () => number | undefined;
}

const PRUNE_EVERY_MS = 3_600_000;

export class Heartbeat {
  private lastPrune = 0;

  constructor(private readonly o: HeartbeatOptions) {}

  /** Queue the status row now (also right after a reload, so "applied" shows at once). */
  beat(): void {
    const s = this.o.snapshot();
    const now = this.o.now();
    this.o.writer.latest("status", { describe: "worker status", run: (db) => upsertStatus(db, s, now) });
  }

  /** Close grants/bans whose time is up in the database (the kernel already did) and prune old events. */
  maintain(): void {
    const now = this.o.now();
    this.o.writer.latest("expire", { describe: "close expired grants and bans", run: (db) => void closeExpired(db, now) });
    const days = this.o.retentionDays();
    if (days !== undefined && now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      const cutoff = now - days * 86_400_000;
      this.o.writer.latest("prune", { describe: "prune old events", run: (db) => void pruneEvents(db, cutoff) });
    }
  }
}
