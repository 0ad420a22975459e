import "server-only";
import { parseCidr, cidrContains, type Cidr, type HistoryFilter } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import type { EventView } from "@/lib/live-types";

export type EventFilter = Pick<HistoryFilter, "ip" | "door" | "user" | "kind" | "from" | "to">;

/** Keyset cursor: the (ts, id) of the row to continue after. */
export interface Cursor {
  ts: number;
  id: number;
}

export function parseCursor(s: string | undefined): Cursor | null {
  const m = s ? /^(\d{1,15})\.(\d{1,15})$/.exec(s) : null;
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : null;
}

export function formatCursor(e: { ts: number; id: number }): string {
  return `${e.ts}.${e.id}`;
}

/** Below this many matching rows, a CIDR filter walks the ip index and sorts; above, it scans by time. */
const SPARSE_LIMIT = 20_000;

const cidrCache = new Map<string, Cidr>();

/** SQL function for CIDR filters on IPv6 (text ranges only work for IPv4). */
function ensureCidrFunction(db: SesameDb): void {
  const client = db.$client as typeof db.$client & { sesameCidrFn?: boolean };
  if (client.sesameCidrFn) return;
  client.function("sesame_in_cidr", { deterministic: true }, (cidr: unknown, ip: unknown) => {
    if (typeof cidr !== "string" || typeof ip !== "string") return 0;
    let c = cidrCache.get(cidr);
    if (!c) {
      const r = parseCidr(cidr);
      if (!r.ok) return 0;
      c = r.cidr;
      if (cidrCache.size > 100) cidrCache.clear();
      cidrCache.set(cidr, c);
    }
    return cidrContains(c, ip) ? 1 : 0;
  });
  client.sesameCidrFn = true;
}

/**
 * An IPv4 block as ranges of canonical dotted text: 10.1.16.0/20 →
 * ["10.1.16.", "10.1.31."]-style prefixes, each matched by
 * `ip >= 'p' AND ip < 'p/'` ('/' sorts right after '.'), which the
 * events_ip_ts index can seek. At most 128 prefixes (or addresses).
 */
export function ipv4TextRanges(cidr: Cidr): { prefixes: string[]; exact: string[] } {
  const o = cidr.network.split(".").map(Number);
  if (cidr.prefix === 0) return { prefixes: Array.from({ length: 256 }, (_, i) => `${i}.`), exact: [] };
  if (cidr.prefix > 24) {
    const count = 2 ** (32 - cidr.prefix);
    return { prefixes: [], exact: Array.from({ length: count }, (_, i) => `${o[0]}.${o[1]}.${o[2]}.${o[3]! + i}`) };
  }
  const octets = Math.ceil(cidr.prefix / 8);
  const spread = 2 ** (octets * 8 - cidr.prefix);
  const base = o.slice(0, octets);
  return {
    prefixes: Array.from({ length: spread }, (_, i) => {
      const parts = [...base];
      parts[octets - 1] = base[octets - 1]! + i;
      return `${parts.join(".")}.`;
    }),
    exact: [],
  };
}

interface Where {
  sql: string[];
  params: unknown[];
  /** Force the driving index when our estimate knows better than the planner. */
  indexedBy?: string;
}

function ipCondition(cidr: Cidr, indexed: boolean): Where {
  const col = indexed ? "ip" : "+ip";
  if (cidr.family === 6) return { sql: [`sesame_in_cidr(?, ip)`], params: [cidr.text] };
  const { prefixes, exact } = ipv4TextRanges(cidr);
  if (exact.length) return { sql: [`${col} IN (${exact.map(() => "?").join(",")})`], params: exact };
  const parts = prefixes.map(() => `(${col} >= ? AND ${col} < ?)`);
  return { sql: [`(${parts.join(" OR ")})`], params: prefixes.flatMap((p) => [p, `${p.slice(0, -1)}/`]) };
}

/** The from/to bounds of a filter on a time column (events.ts, grants.opened_at). */
function timeWhere(f: EventFilter, column: "ts" | "opened_at" = "ts"): Where {
  const w: Where = { sql: [], params: [] };
  if (f.from !== undefined) {
    w.sql.push(`${column} >= ?`);
    w.params.push(f.from);
  }
  if (f.to !== undefined) {
    w.sql.push(`${column} <= ?`);
    w.params.push(f.to);
  }
  return w;
}

function baseWhere(f: EventFilter): Where {
  const w: Where = { sql: [], params: [] };
  if (f.kind) {
    w.sql.push("kind = ?");
    w.params.push(f.kind);
  }
  if (f.door) {
    w.sql.push("door_name = ?");
    w.params.push(f.door);
  }
  if (f.user) {
    w.sql.push("user_name = ?");
    w.params.push(f.user);
  }
  const t = timeWhere(f);
  return { sql: [...w.sql, ...t.sql], params: [...w.params, ...t.params] };
}

/** How many rows a condition matches, counting at most SPARSE_LIMIT (index-only when the index covers it). */
function cappedCount(db: SesameDb, w: Where): number {
  const row = db.$client
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM events ${w.indexedBy ? `INDEXED BY ${w.indexedBy}` : ""} WHERE ${w.sql.join(" AND ")} LIMIT ${SPARSE_LIMIT})`)
    .get(...w.params) as { n: number };
  return row.n;
}

/**
 * The WHERE clause for a filter. An exact IP uses the (ip, ts) index. For a
 * CIDR, cheap capped counts on each candidate index (ip ranges, kind, door)
 * pick the most selective one to drive the query: few matches are read and
 * sorted; many matches are walked in time order until the page is full.
 */
function buildWhere(db: SesameDb, f: EventFilter): Where {
  const w = baseWhere(f);
  if (!f.ip) return w;
  if (!f.ip.includes("/")) {
    w.sql.push("ip = ?");
    w.params.push(f.ip);
    return w;
  }
  const parsed = parseCidr(f.ip);
  if (!parsed.ok) return { sql: ["0"], params: [] };
  const cidr = parsed.cidr;
  if (cidr.family === 6) {
    ensureCidrFunction(db);
    const cond = ipCondition(cidr, false);
    return { sql: [...w.sql, ...cond.sql], params: [...w.params, ...cond.params] };
  }
  const t = timeWhere(f);
  const ranges = ipCondition(cidr, true);
  const candidates: { n: number; indexedBy?: string; ipIndexed: boolean }[] = [
    { n: cappedCount(db, { sql: [...ranges.sql, ...t.sql], params: [...ranges.params, ...t.params], indexedBy: "events_ip_ts_idx" }), indexedBy: "events_ip_ts_idx", ipIndexed: true },
  ];
  if (f.kind) {
    candidates.push({ n: cappedCount(db, { sql: ["kind = ?", ...t.sql], params: [f.kind, ...t.params], indexedBy: "events_kind_ts_idx" }), indexedBy: "events_kind_ts_idx", ipIndexed: false });
  }
  if (f.door) {
    candidates.push({ n: cappedCount(db, { sql: ["door_name = ?", ...t.sql], params: [f.door, ...t.params], indexedBy: "events_door_ts_idx" }), indexedBy: "events_door_ts_idx", ipIndexed: false });
  }
  const best = candidates.reduce((a, b) => (b.n < a.n ? b : a));
  if (best.n >= SPARSE_LIMIT) {
    // Everything is dense: walk newest-first and let the ranges filter.
    const cond = ipCondition(cidr, false);
    return { sql: [...w.sql, ...cond.sql], params: [...w.params, ...cond.params] };
  }
  const cond = ipCondition(cidr, best.ipIndexed);
  return { sql: [...w.sql, ...cond.sql], params: [...w.params, ...cond.params], indexedBy: best.indexedBy };
}

export interface EventPage {
  rows: EventView[];
  /** Cursor for the next (older) page, if any. */
  older: string | null;
  /** Cursor for the previous (newer) page, if any. */
  newer: string | null;
}

/**
 * One page of events, newest first, by keyset on (ts, id): the cost of a
 * page does not grow with how deep it is, unlike OFFSET.
 */
export function findEventPage(
  db: SesameDb,
  f: EventFilter,
  opts: { before?: Cursor | null; after?: Cursor | null; pageSize: number },
): EventPage {
  const w = buildWhere(db, f);
  const cols = "id, ts, ip, door_id AS doorId, door_name AS doorName, user_name AS userName, kind, stage, detail";
  const limit = opts.pageSize + 1;
  const from = w.indexedBy ? `INDEXED BY ${w.indexedBy}` : "";
  if (opts.after) {
    const sql = `SELECT ${cols} FROM events ${from} WHERE ${[...w.sql, "(ts, id) > (?, ?)"].join(" AND ")} ORDER BY ts ASC, id ASC LIMIT ${limit}`;
    const rows = db.$client.prepare(sql).all(...w.params, opts.after.ts, opts.after.id) as EventView[];
    const hasNewer = rows.length > opts.pageSize;
    const page = rows.slice(0, opts.pageSize).reverse();
    return {
      rows: page,
      newer: hasNewer && page[0] ? formatCursor(page[0]) : null,
      older: page.at(-1) ? formatCursor(page.at(-1)!) : null,
    };
  }
  const cond = opts.before ? [...w.sql, "(ts, id) < (?, ?)"] : w.sql;
  const params = opts.before ? [...w.params, opts.before.ts, opts.before.id] : w.params;
  const sql = `SELECT ${cols} FROM events ${from} ${cond.length ? `WHERE ${cond.join(" AND ")}` : ""} ORDER BY ts DESC, id DESC LIMIT ${limit}`;
  const rows = db.$client.prepare(sql).all(...params) as EventView[];
  const hasOlder = rows.length > opts.pageSize;
  const page = rows.slice(0, opts.pageSize);
  return {
    rows: page,
    older: hasOlder && page.at(-1) ? formatCursor(page.at(-1)!) : null,
    newer: opts.before && page[0] ? formatCursor(page[0]) : null,
  };
}

/** All matching events, newest first, in batches (for the CSV export). */
export function* iterateEvents(db: SesameDb, f: EventFilter, batch = 2000): Generator<EventView[]> {
  let before: Cursor | null = null;
  for (let i = 0; i < 100_000; i++) {
    const page = findEventPage(db, f, { before, pageSize: batch });
    if (page.rows.length) yield page.rows;
    if (!page.older) return;
    before = parseCursor(page.older);
  }
}

export interface GrantHistoryRow {
  id: number;
  ip: string;
  doorName: string;
  userName: string | null;
  ports: string;
  openedAt: number;
  expiresAt: number;
  closedAt: number | null;
  closedReason: string | null;
}

/** OPEN SESAME history: one row per grant, newest first, keyset on id. */
export function findGrantPage(
  db: SesameDb,
  f: EventFilter,
  opts: { beforeId?: number | null; pageSize: number },
): { rows: GrantHistoryRow[]; older: number | null } {
  const w: Where = { sql: [], params: [] };
  if (f.ip) {
    if (f.ip.includes("/")) {
      ensureCidrFunction(db);
      w.sql.push("sesame_in_cidr(?, ip)");
    } else w.sql.push("ip = ?");
    w.params.push(f.ip);
  }
  if (f.door) {
    w.sql.push("door_name = ?");
    w.params.push(f.door);
  }
  if (f.user) {
    w.sql.push("user_name = ?");
    w.params.push(f.user);
  }
  const t = timeWhere(f, "opened_at");
  w.sql.push(...t.sql);
  w.params.push(...t.params);
  if (opts.beforeId) {
    w.sql.push("id < ?");
    w.params.push(opts.beforeId);
  }
  const sql = `SELECT id, ip, door_name AS doorName, user_name AS userName, ports, opened_at AS openedAt, expires_at AS expiresAt, closed_at AS closedAt, closed_reason AS closedReason
    FROM grants ${w.sql.length ? `WHERE ${w.sql.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${opts.pageSize + 1}`;
  const rows = db.$client.prepare(sql).all(...w.params) as GrantHistoryRow[];
  const page = rows.slice(0, opts.pageSize);
  return { rows: page, older: rows.length > opts.pageSize ? (page.at(-1)?.id ?? null) : null };
}
