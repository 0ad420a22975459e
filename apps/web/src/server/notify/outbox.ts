import "server-only";
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs, shouldRetry, type NotifyEvent } from "@sesame/core";
import { and, asc, eq, lte, notifyChannels, notifyCursors, notifyOutbox, sql, type SesameDb } from "@sesame/db";

type Tx = Parameters<Parameters<SesameDb["transaction"]>[0]>[0];

export type OutboxRow = typeof notifyOutbox.$inferSelect;

/** Sent and dropped messages are kept this long (the channel page lists the newest). */
export const OUTBOX_KEEP_MS = 7 * 86_400_000;

export function enqueue(tx: Tx | SesameDb, channelId: number, event: NotifyEvent, now: number): void {
  tx.insert(notifyOutbox).values({ channelId, createdAt: now, event, nextAttemptAt: now }).run();
}

/** Due messages, oldest first (the due index: status, next attempt). */
export function findDueMessages(db: SesameDb, now: number, limit = 100): OutboxRow[] {
  return db
    .select()
    .from(notifyOutbox)
    .where(and(eq(notifyOutbox.status, "pending"), lte(notifyOutbox.nextAttemptAt, now)))
    .orderBy(asc(notifyOutbox.nextAttemptAt), asc(notifyOutbox.id))
    .limit(limit)
    .all();
}

/** A channel's success or failure, on the channel (last success / last error, counts). */
export function recordChannelOutcome(tx: Tx | SesameDb, channelId: number, now: number, error: string | null): void {
  if (error === null) {
    tx.update(notifyChannels)
      .set({ lastSuccessAt: now, sentCount: sql`${notifyChannels.sentCount} + 1` })
      .where(eq(notifyChannels.id, channelId))
      .run();
  } else {
    tx.update(notifyChannels)
      .set({ lastErrorAt: now, lastError: error, failedCount: sql`${notifyChannels.failedCount} + 1` })
      .where(eq(notifyChannels.id, channelId))
      .run();
  }
}

/**
 * After an attempt: sent, or retried later with back-off, or (after
 * MAX_DELIVERY_ATTEMPTS) dropped. Returns when the next attempt is due (null: none).
 */
export function recordAttempt(db: SesameDb, row: OutboxRow, now: number, error: string | null, random: number): number | null {
  return db.transaction((tx) => {
    const attempts = row.attempts + 1;
    recordChannelOutcome(tx, row.channelId, now, error);
    if (error === null) {
      tx.update(notifyOutbox).set({ status: "sent", sentAt: now, attempts, lastError: null }).where(eq(notifyOutbox.id, row.id)).run();
      return null;
    }
    if (shouldRetry(attempts)) {
      const next = now + retryDelayMs(attempts, random);
      tx.update(notifyOutbox).set({ attempts, lastError: error, nextAttemptAt: next }).where(eq(notifyOutbox.id, row.id)).run();
      return next;
    }
    tx.update(notifyOutbox).set({ status: "dropped", attempts, lastError: `${error} (gave up after ${MAX_DELIVERY_ATTEMPTS} attempts)` }).where(eq(notifyOutbox.id, row.id)).run();
    tx.update(notifyChannels).set({ droppedCount: sql`${notifyChannels.droppedCount} + 1` }).where(eq(notifyChannels.id, row.channelId)).run();
    return null;
  });
}

/** A message whose channel was disabled or deleted before it went out. */
export function dropMessage(db: SesameDb, id: number, reason: string): void {
  db.update(notifyOutbox).set({ status: "dropped", lastError: reason }).where(eq(notifyOutbox.id, id)).run();
}

export function countHeld(tx: Tx, channelId: number, n: number): void {
  tx.update(notifyChannels).set({ heldCount: sql`${notifyChannels.heldCount} + ${n}` }).where(eq(notifyChannels.id, channelId)).run();
}

export function readCursor(db: SesameDb, source: "events" | "audit"): number | undefined {
  return db.select({ lastId: notifyCursors.lastId }).from(notifyCursors).where(eq(notifyCursors.source, source)).get()?.lastId;
}

export function writeCursor(tx: Tx | SesameDb, source: "events" | "audit", lastId: number, now: number): void {
  tx.insert(notifyCursors)
    .values({ source, lastId, updatedAt: now })
    .onConflictDoUpdate({ target: notifyCursors.source, set: { lastId, updatedAt: now } })
    .run();
}

/** Forget delivered and dropped messages after a week (through the due index: their last attempt time). */
export function pruneOutbox(db: SesameDb, now: number): number {
  return db.$client
    .prepare("DELETE FROM notify_outbox WHERE status IN ('sent', 'dropped') AND next_attempt_at < ?")
    .run(now - OUTBOX_KEEP_MS).changes;
}
