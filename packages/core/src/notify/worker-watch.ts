import type { NotifyEvent } from "./events";

/**
 * Worker down / back / error from its heartbeat row, read once a second.
 * Down: no heartbeat for `offlineAfterMs` (the same threshold as the
 * header's "worker offline"); a notifier that just started waits that long
 * itself before saying so, so a web restart beside a worker that is
 * starting up is not an alarm. Error: the worker's lastErrorAt moved on.
 */
export interface WorkerWatch {
  /** null until first seen online (or declared down). */
  state: "up" | "down" | null;
  lastErrorAt: number | null;
  startedWatchingAt: number;
}

export interface HeartbeatLike {
  heartbeatAt: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

export function startWorkerWatch(row: HeartbeatLike | undefined, now: number): WorkerWatch {
  return { state: null, lastErrorAt: row?.lastErrorAt ?? null, startedWatchingAt: now };
}

export function watchWorker(
  w: WorkerWatch,
  row: HeartbeatLike | undefined,
  now: number,
  offlineAfterMs: number,
): { watch: WorkerWatch; events: NotifyEvent[] } {
  // Never started: nothing to miss yet.
  if (!row) return { watch: w, events: [] };
  const events: NotifyEvent[] = [];
  const age = now - row.heartbeatAt;
  let state = w.state;
  if (age <= offlineAfterMs) {
    if (state === "down") events.push({ kind: "worker", at: now, state: "back", detail: "the worker's heartbeat is back" });
    state = "up";
  } else if (state !== "down" && (state === "up" || now - w.startedWatchingAt >= offlineAfterMs)) {
    events.push({ kind: "worker", at: now, state: "down", detail: `no heartbeat for ${Math.round(age / 1000)} s (last at ${new Date(row.heartbeatAt).toISOString()})` });
    state = "down";
  }
  let lastErrorAt = w.lastErrorAt;
  if (row.lastErrorAt !== null && row.lastError && (lastErrorAt === null || row.lastErrorAt > lastErrorAt)) {
    events.push({ kind: "worker", at: row.lastErrorAt, state: "error", detail: row.lastError });
    lastErrorAt = row.lastErrorAt;
  }
  return { watch: { ...w, state, lastErrorAt }, events };
}
