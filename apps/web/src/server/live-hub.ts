import "server-only";
import { getDb } from "./db";
import { findEventsAfter, latestEventId, readLiveState, type EventView, type LiveState } from "./queries/live-state";
import { readConfigVersions } from "./queries/worker-status";

const EVENT_POLL_MS = 150;
const STATE_EVERY_MS = 1000;
/** Events that come with a grants/bans change, written by the worker in the same transaction. */
const STATE_KINDS: ReadonlySet<string> = new Set(["open", "close", "ban", "unban", "grant-expired", "revoke"]);

export type LiveMessage = { type: "events"; events: EventView[] } | { type: "state"; state: LiveState };
type Listener = (msg: LiveMessage) => void;

/**
 * One poller per process, however many dashboards are open: every 150 ms it
 * reads events with id > last seen (primary key range, so it stays cheap
 * with millions of rows) and fans them out; every second it re-reads grants,
 * bans and worker health and pushes them when they changed.
 */
class LiveHub {
  private listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private lastId = 0;
  private lastStateAt = 0;
  private lastStateJson = "";
  private lastState: LiveState | undefined;
  private lastPushAt = 0;
  private lastVersions = "";

  subscribe(listener: Listener): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    if (this.lastState) listener({ type: "state", state: this.lastState });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    this.lastId = latestEventId(getDb());
    this.lastStateJson = "";
    this.lastState = undefined;
    this.tick();
    this.timer = setInterval(() => this.tick(), EVENT_POLL_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    try {
      const db = getDb();
      let isStateStale = false;
      // Bounded: at most 20 batches (10 000 rows) per tick, then catch up next tick.
      for (let i = 0; i < 20; i++) {
        const rows = findEventsAfter(db, this.lastId);
        if (rows.length === 0) break;
        this.lastId = rows[rows.length - 1]!.id;
        this.broadcast({ type: "events", events: rows });
        if (!isStateStale) isStateStale = rows.some((r) => STATE_KINDS.has(r.kind));
        if (rows.length < 500) break;
      }
      // Two primary-key reads: cheap enough for every tick.
      const versions = JSON.stringify(readConfigVersions(db));
      if (versions !== this.lastVersions) isStateStale = true;
      const now = Date.now();
      if (isStateStale || now - this.lastStateAt >= STATE_EVERY_MS) {
        this.lastStateAt = now;
        this.refreshState();
      }
    } catch (err) {
      console.error("sesame: live poll failed:", err);
    }
  }

  /**
   * Re-read grants/bans/health; push when something changed, and at least
   * every 5 s so heartbeat ages stay fresh (clients tick them locally between).
   */
  refreshState(): void {
    const state = readLiveState(getDb());
    this.lastVersions = JSON.stringify({ configVersion: state.health.configVersion, appliedConfigVersion: state.health.appliedConfigVersion });
    const json = JSON.stringify({ ...state, now: 0, health: { ...state.health, heartbeatAgeMs: 0 } });
    this.lastState = state;
    if (json === this.lastStateJson && state.now - this.lastPushAt < 5000) return;
    this.lastStateJson = json;
    this.lastPushAt = state.now;
    this.broadcast({ type: "state", state });
  }

  private broadcast(msg: LiveMessage): void {
    for (const l of this.listeners) {
      try {
        l(msg);
      } catch {
        this.listeners.delete(l);
      }
    }
  }
}

const globalForHub = globalThis as unknown as { sesameLiveHub?: LiveHub };

export function getLiveHub(): LiveHub {
  globalForHub.sesameLiveHub ??= new LiveHub();
  return globalForHub.sesameLiveHub;
}
