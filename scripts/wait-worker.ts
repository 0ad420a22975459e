/**
 * Waits for the worker's first heartbeat in the database (so its connection is
 * open and the -wal/-shm files exist, which the web user cannot create), or
 * fails with one sentence when the worker exited or did not beat in time.
 * Usage: tsx scripts/wait-worker.ts --db PATH --pid PID [--timeout SECONDS]
 */
import { openDb, workerStatus } from "@sesame/db";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const path = arg("--db")!;
const pid = Number(arg("--pid"));
const deadline = Date.now() + Number(arg("--timeout") ?? 60) * 1000;
const since = Date.now() - 1000;
const db = openDb(path, { readonly: true });
const beat = db.select({ at: workerStatus.heartbeatAt }).from(workerStatus);
for (;;) {
  const row = beat.get();
  if (row && row.at >= since) break;
  if (!isAlive(pid)) {
    console.error(`start: the worker (pid ${pid}) exited before its first heartbeat; its messages are above`);
    process.exit(1);
  }
  if (Date.now() > deadline) {
    console.error(`start: the worker (pid ${pid}) wrote no heartbeat to ${path} within ${arg("--timeout") ?? 60} s`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
db.$client.close();
