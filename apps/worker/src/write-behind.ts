import type { EventKind } from "@sesame/core";
import type { SesameDb } from "@sesame/db";

/**
 * Write-behind for everything the worker records: event rows and small state
 * updates (grants, bans, status). The capture path never waits on SQLite: it
 * queues, and a timer flushes the queue in one IMMEDIATE transaction every
 * flushMs (or as soon as batchRows are queued). When the database is locked
 * by another writer (SQLITE_BUSY past the connection's short busy_timeout),
 * nothing is lost: the queue stays and the next tick retries.
 *
 * Events keep their arrival order, with a bound per importance: routine ones
 * (stage, invalid, duplicate, …) are dropped (counted) past theirs; the ones
 * that matter (open, ban, close, timeout, error, …) have their own, larger
 * bound and a drop there is logged as an error, never silent.
 */

/**
 * The worker's SQLite page cache (KiB). It appends events and reads small
 * tables, so SQLite's own default (2 MB) is plenty; better-sqlite3's 16 MB
 * filled up during floods and stayed resident (RSS 114 % of baseline after the
 * memory bench's floods, ~13 MB of it this cache).
 */
export const WORKER_DB_CACHE_KIB = 2000;

export interface EventRow {
  ts: number;
  kind: EventKind;
  ip?: string | null;
  doorId?: number | null;
  doorName?: string | null;
  /** The user of a rotating-sequence (or SPA) event. */
  userName?: string | null;
  stage?: number | null;
  detail?: string | null;
}

/** A state change to apply inside the flush transaction, in order with the others. */
export type DbOp = { describe: string; run: (db: SesameDb) => void };

const ROUTINE_KINDS: ReadonlySet<EventKind> = new Set<EventKind>(["stage", "invalid", "duplicate", "cooldown", "evicted"]);

export interface WriteBehindOptions {
  db: SesameDb;
  flushMs?: number;
  batchRows?: number;
  maxRoutine?: number;
  maxCritical?: number;
  maxOps?: number;
  /** Longest a single flush may hold the event loop before yielding (ms). */
  sliceMs?: number;
  onError?: (msg: string) => void;
  /** Sees every event as it is queued (the syslog lines), before any cap. */
  onEvent?: (row: EventRow) => void;
}

export interface WriteBehindStats {
  eventsWritten: number;
  eventsDropped: number;
  criticalDropped: number;
  opsApplied: number;
  opsFailed: number;
  opsDropped: number;
  pending: number;
  busyRetries: number;
}

/** True for SQLITE_BUSY / SQLITE_LOCKED and their extended codes. */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

export class WriteBehind {
  private readonly db: SesameDb;
  private readonly flushMs: number;
  private readonly batchRows: number;
  private readonly maxRoutine: number;
  private readonly maxCritical: number;
  private readonly maxOps: number;
  private readonly sliceMs: number;
  private readonly onError: (msg: string) => void;
  private readonly onEvent: ((row: EventRow) => void) | undefined;
  /** Events in arrival order (the database ids follow it); counts per class bound them. */
  private queue: EventRow[] = [];
  private routineQueued = 0;
  private criticalQueued = 0;
  private ops: DbOp[] = [];
  /** Latest-wins ops (heartbeat, pending commands): a lock never piles up stale copies. */
  private keyed = new Map<string, DbOp>();
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private busySince: number | null = null;
  private lastFailureReport = 0;
  private readonly insert;
  private readonly counts: WriteBehindStats = { eventsWritten: 0, eventsDropped: 0, criticalDropped: 0, opsApplied: 0, opsFailed: 0, opsDropped: 0, pending: 0, busyRetries: 0 };

  constructor(opts: WriteBehindOptions) {
    this.db = opts.db;
    this.flushMs = opts.flushMs ?? 100;
    this.batchRows = opts.batchRows ?? 1000;
    this.maxRoutine = opts.maxRoutine ?? 100_000;
    this.maxCritical = opts.maxCritical ?? 200_000;
    this.maxOps = opts.maxOps ?? 100_000;
    this.sliceMs = opts.sliceMs ?? 50;
    this.onError = opts.onError ?? (() => {});
    this.onEvent = opts.onEvent;
    this.insert = this.db.$client.prepare(
      "INSERT INTO events (ts, ip, door_id, door_name, kind, stage, detail, user_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
  }

  /** Starts the periodic flush. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Queues one event row. */
  event(row: EventRow): void {
    this.onEvent?.(row);
    if (ROUTINE_KINDS.has(row.kind)) {
      if (this.routineQueued >= this.maxRoutine) {
        this.counts.eventsDropped++;
        return;
      }
      this.routineQueued++;
    } else {
      if (this.criticalQueued >= this.maxCritical) {
        if (this.counts.criticalDropped++ % 1000 === 0) this.onError(`event queue full (database unwritable): dropped ${row.kind} event for ${row.ip ?? "-"}; ${this.counts.criticalDropped} so far`);
        return;
      }
      this.criticalQueued++;
    }
    this.queue.push(row);
    this.kick();
  }

  /** Queues a state change; ops run in queue order inside the flush transaction. */
  op(op: DbOp): void {
    if (this.ops.length >= this.maxOps) {
      this.counts.opsDropped++;
      this.onError(`database write queue full: dropped "${op.describe}"`);
      return;
    }
    this.ops.push(op);
    this.kick();
  }

  /** Queues an op that replaces any queued op with the same key. */
  latest(key: string, op: DbOp): void {
    this.keyed.set(key, op);
  }

  /** Counters (a copy; `pending` as of the last flush attempt). */
  stats(): WriteBehindStats {
    return { ...this.counts };
  }

  get pending(): number {
    return this.queue.length + this.ops.length + this.keyed.size;
  }

  /** ms since the database first refused a flush, or null when the last flush worked. */
  get blockedFor(): number | null {
    return this.busySince === null ? null : Date.now() - this.busySince;
  }

  private kick(): void {
    if (this.soon === null && this.queue.length >= this.batchRows) {
      this.soon = setImmediate(() => {
        this.soon = null;
        this.flush();
      });
    }
  }

  /**
   * Writes what is queued, in transactions of at most 5000 rows, until the
   * queue is empty or sliceMs has passed (the rest goes on the next tick).
   * Returns false when the database was busy (everything stays queued).
   */
  flush(): boolean {
    const started = Date.now();
    for (let round = 0; round < 1000 && this.pending > 0; round++) {
      if (!this.flushOnce(5000)) return false;
      if (Date.now() - started >= this.sliceMs) {
        if (this.pending > 0 && this.soon === null) {
          this.soon = setImmediate(() => {
            this.soon = null;
            this.flush();
          });
        }
        break;
      }
    }
    this.counts.pending = this.pending;
    return true;
  }

  private flushOnce(maxRows: number): boolean {
    const keyed = [...this.keyed.values()];
    const ops = [...this.ops.slice(0, 500), ...keyed];
    const rows = this.queue.slice(0, maxRows);
    let applied = 0;
    let failed = 0;
    try {
      this.db.$client
        .transaction(() => {
          for (const op of ops) {
            try {
              op.run(this.db);
              applied++;
            } catch (e) {
              if (isBusyError(e)) throw e;
              // A broken op must not wedge the queue; it is reported and skipped.
              failed++;
              this.onError(`database write "${op.describe}" failed: ${(e as Error).message}`);
            }
          }
          for (const r of rows) {
            this.insert.run(r.ts, r.ip ?? null, r.doorId ?? null, r.doorName ?? null, r.kind, r.stage ?? null, r.detail ?? null, r.userName ?? null);
          }
        })
        .immediate();
    } catch (e) {
      if (isBusyError(e)) {
        this.counts.busyRetries++;
        this.busySince ??= Date.now();
        this.counts.pending = this.pending;
        return false;
      }
      // Anything else (disk full, I/O error): keep the rows, report (not every tick), retry next tick.
      if (Date.now() - this.lastFailureReport > 10_000) {
        this.lastFailureReport = Date.now();
        this.onError(`database write failed (will retry): ${(e as Error).message}`);
      }
      this.counts.pending = this.pending;
      return false;
    }
    this.busySince = null;
    this.ops.splice(0, ops.length - keyed.length);
    // A keyed op queued again during the flush (cannot happen synchronously, but be exact) stays.
    for (const [k, op] of this.keyed) if (keyed.includes(op)) this.keyed.delete(k);
    this.queue.splice(0, rows.length);
    for (const r of rows) {
      if (ROUTINE_KINDS.has(r.kind)) this.routineQueued--;
      else this.criticalQueued--;
    }
    this.counts.opsApplied += applied;
    this.counts.opsFailed += failed;
    this.counts.eventsWritten += rows.length;
    return true;
  }

  /** Stops the timer and tries to write everything (bounded by timeoutMs). */
  async close(timeoutMs = 3000): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.soon) clearImmediate(this.soon);
    this.soon = null;
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 10_000 && this.pending > 0 && Date.now() < deadline; i++) {
      if (!this.flush()) await new Promise((r) => setTimeout(r, 50));
    }
    return this.pending === 0;
  }
}
