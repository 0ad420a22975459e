import "server-only";
import { getDb } from "../db";
import { WORKER_OFFLINE_AFTER_MS } from "../queries/worker-status";
import { Notifier } from "./notifier";

/** How often the notifier looks for new rows (two primary-key reads when nothing happened). */
export const NOTIFY_POLL_MS = 100;

const globalForNotifier = globalThis as unknown as { sesameNotifier?: Notifier };

/** Started once per server process, at boot (instrumentation), not by a browser. */
export function startNotifications(): void {
  if (globalForNotifier.sesameNotifier) return;
  const notifier = new Notifier({ db: getDb(), offlineAfterMs: WORKER_OFFLINE_AFTER_MS, log: (m) => console.error(m) });
  globalForNotifier.sesameNotifier = notifier;
  notifier.start(NOTIFY_POLL_MS);
}
