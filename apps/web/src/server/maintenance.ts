import "server-only";
import { getDb } from "./db";
import { readSetting } from "./settings";

const PRUNE_EVERY_MS = 10 * 60_000;
const BATCH = 5000;
const MAX_BATCHES_PER_RUN = 400;

const globalForTimer = globalThis as unknown as { sesameMaintenance?: NodeJS.Timeout };

/**
 * Delete events older than settings.retentionDays, in small batches with a
 * yield between them so a big backlog never blocks requests (or the
 * worker's writes) for long. Also forgets stale login-failure records.
 */
export async function pruneOnce(now = Date.now()): Promise<number> {
  const db = getDb();
  const days = readSetting(db, "retentionDays");
  let deleted = 0;
  if (days > 0) {
    const cutoff = now - days * 86_400_000;
    const del = db.$client.prepare("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? ORDER BY ts LIMIT ?)");
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const { changes } = del.run(cutoff, BATCH);
      deleted += changes;
      if (changes < BATCH) break;
      await new Promise((r) => setImmediate(r));
    }
  }
  db.$client
    .prepare("DELETE FROM login_attempts WHERE max(first_failure_at, coalesce(locked_until, 0)) < ?")
    .run(now - 24 * 3_600_000);
  return deleted;
}

export function startMaintenance(): void {
  if (globalForTimer.sesameMaintenance) return;
  const run = () => {
    pruneOnce().catch((err: unknown) => console.error("sesame: retention pruning failed:", err));
  };
  globalForTimer.sesameMaintenance = setInterval(run, PRUNE_EVERY_MS);
  globalForTimer.sesameMaintenance.unref();
  setTimeout(run, 5_000).unref();
}
