import "server-only";
import { admitToRateWindow, closeRateWindow, startWorkerWatch, watchWorker, type NotifyEvent, type RateWindow, type WorkerWatch } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import { findChannel, findEnabledChannels, type ChannelRow } from "./channels";
import { deliver as deliverOnce, type DeliveryResult, type DeliveryTarget } from "./deliver";
import { countHeld, dropMessage, enqueue, findDueMessages, readCursor, recordAttempt, writeCursor, type OutboxRow } from "./outbox";
import { latestId, readHeartbeat, readNewAudit, readNewEvents, type Source } from "./sources";

export interface NotifierOptions {
  db: SesameDb;
  now?: () => number;
  random?: () => number;
  deliver?: (t: DeliveryTarget, ev: NotifyEvent) => Promise<DeliveryResult>;
  /** The heartbeat age that means "worker down" (the header's threshold). */
  offlineAfterMs: number;
  log?: (msg: string) => void;
}

const HEARTBEAT_EVERY_MS = 1000;

/**
 * Notifications, in the web server process (off the packet path: the
 * worker only writes its rows as before). Each tick reads what is new past
 * its cursors (events and audit by primary key, the heartbeat row once a
 * second), fans it out to the enabled channels that want it, through each
 * channel's rate limit (what is over becomes a digest), into the outbox,
 * then delivers what is due. Deliveries run beside later ticks, one at a
 * time per channel, in order; a failure holds the channel's queue until
 * its retry is due (back-off), so a dead receiver costs one attempt per
 * retry, not one per queued message.
 */
export class Notifier {
  private readonly db: SesameDb;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly send: (t: DeliveryTarget, ev: NotifyEvent) => Promise<DeliveryResult>;
  private readonly windows = new Map<number, RateWindow>();
  private readonly busy = new Set<number>();
  private readonly blockedUntil = new Map<number, number>();
  private watch: WorkerWatch | undefined;
  private lastHeartbeatAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: NotifierOptions) {
    this.db = o.db;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.send = o.deliver ?? deliverOnce;
  }

  start(everyMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.collect();
        this.running = this.deliverDue();
      } catch (err) {
        this.o.log?.(`sesame: notifications: ${(err as Error).message}`);
      }
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One whole round (tests): read, enqueue, deliver everything due, and wait for it. */
  async tick(): Promise<void> {
    this.collect();
    await this.deliverDue();
  }

  /** Read new rows and put what channels want into the outbox. Synchronous: one short write transaction. */
  collect(): void {
    const now = this.now();
    const fresh: NotifyEvent[] = [];
    const cursors: [Source, number][] = [];
    for (const source of ["events", "audit"] as const) {
      const latest = latestId(this.db, source);
      const cursor = readCursor(this.db, source);
      // First start: begin at the end (history is not news).
      if (cursor === undefined) cursors.push([source, latest]);
      else if (latest > cursor) {
        const r = source === "events" ? readNewEvents(this.db, cursor, latest) : readNewAudit(this.db, cursor, latest);
        fresh.push(...r.events);
        cursors.push([source, r.readTo]);
      } else if (latest < cursor) cursors.push([source, latest]); // the table was emptied
    }
    if (now - this.lastHeartbeatAt >= HEARTBEAT_EVERY_MS) {
      this.lastHeartbeatAt = now;
      const hb = readHeartbeat(this.db);
      this.watch ??= startWorkerWatch(hb, now);
      const r = watchWorker(this.watch, hb, now, this.o.offlineAfterMs);
      this.watch = r.watch;
      fresh.push(...r.events);
    }
    const channels = fresh.length > 0 || this.windows.size > 0 ? findEnabledChannels(this.db) : [];
    const out: [number, NotifyEvent][] = [];
    const held = new Map<number, number>();
    for (const ch of channels) {
      for (const ev of fresh) {
        if (ev.kind === "test" || ev.kind === "digest" || !ch.events.includes(ev.kind)) continue;
        const r = admitToRateWindow(this.windows.get(ch.id), ev.kind, { count: ch.rateCount, perSec: ch.ratePerSec }, now);
        this.windows.set(ch.id, r.window);
        if (r.digest) out.push([ch.id, r.digest]);
        if (r.admitted) out.push([ch.id, ev]);
        else held.set(ch.id, (held.get(ch.id) ?? 0) + 1);
      }
      const c = closeRateWindow(this.windows.get(ch.id), { count: ch.rateCount, perSec: ch.ratePerSec }, now);
      if (c.digest) out.push([ch.id, c.digest]);
      if (c.window) this.windows.set(ch.id, c.window);
      else this.windows.delete(ch.id);
    }
    // A channel disabled or deleted meanwhile: its window (and what it held) goes with it.
    for (const id of this.windows.keys()) if (!channels.some((c) => c.id === id)) this.windows.delete(id);
    if (out.length === 0 && held.size === 0 && cursors.length === 0) return;
    this.db.transaction((tx) => {
      for (const [id, ev] of out) enqueue(tx, id, ev, now);
      for (const [id, n] of held) countHeld(tx, id, n);
      for (const [source, lastId] of cursors) writeCursor(tx, source, lastId, now);
    }, { behavior: "immediate" });
  }

  /** Deliver what is due: channels in parallel, each channel's messages one at a time, in order. */
  async deliverDue(): Promise<void> {
    const now = this.now();
    const byChannel = new Map<number, OutboxRow[]>();
    for (const row of findDueMessages(this.db, now)) {
      if (this.busy.has(row.channelId) || (this.blockedUntil.get(row.channelId) ?? 0) > now) continue;
      const list = byChannel.get(row.channelId) ?? [];
      list.push(row);
      byChannel.set(row.channelId, list);
    }
    await Promise.all([...byChannel].map(([id, rows]) => this.deliverChannel(id, rows.sort((a, b) => a.id - b.id))));
  }

  private async deliverChannel(channelId: number, rows: OutboxRow[]): Promise<void> {
    this.busy.add(channelId);
    try {
      const ch: ChannelRow | undefined = findChannel(this.db, channelId);
      for (const row of rows) {
        if (!ch || !ch.enabled) {
          dropMessage(this.db, row.id, "the channel was disabled before it went out");
          continue;
        }
        const r = await this.send(ch, row.event);
        const next = recordAttempt(this.db, row, this.now(), r.ok ? null : r.error, this.random());
        if (!r.ok) {
          this.o.log?.(`sesame: notification to "${ch.name}" failed: ${r.error}${next ? `; retrying in ${Math.round((next - this.now()) / 1000)} s` : ""}`);
          if (next) this.blockedUntil.set(channelId, next);
          break;
        }
        this.blockedUntil.delete(channelId);
      }
    } finally {
      this.busy.delete(channelId);
    }
  }
}
