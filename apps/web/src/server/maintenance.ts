import "server-only";
import { getDb } from "./db";
import { pruneOutbox } from "./notify/outbox";
import { pruneWebSessions } from "./web-sessions";

const EVERY_MS = 10 * 60_000;

const globalForTimer = globalThis as unknown as { sesameMaintenance?: NodeJS.Timeout };

/**
 * Forget login-failure records a day after their last activity, so the
 * throttling table cannot grow without bound. (Event retention —
 * settings.retentionDays — is enforced by the worker, which writes events.)
 */
export function pruneLoginAttempts(now = Date.now()): number {
  return getDb()
    .$client.prepare("DELETE FROM login_attempts WHERE max(first_failure_at, coalesce(locked_until, 0)) < ?")
    .run(now - 24 * 3_600_000).changes;
}

export function startMaintenance(): void {
  if (globalForTimer.sesameMaintenance) return;
  const run = () => {
    try {
      pruneLoginAttempts();
      pruneWebSessions(getDb(), Date.now());
      pruneOutbox(getDb(), Date.now());
    } catch (err) {
      console.error("sesame: pruning login attempts, sessions or delivered notifications failed:", err);
    }
  };
  globalForTimer.sesameMaintenance = setInterval(run, EVERY_MS);
  globalForTimer.sesameMaintenance.unref();
}
