import { and, asc, desc, eq, events, gte, lt, or, sql, type SesameDb } from "@sesame/db";
import { count, type SQL } from "drizzle-orm";

export const EVENT_DOORS = ["ssh", "openvpn", "web-admin", "decoy-22", "decoy-3389", "smtp"] as const;
/** Kind mix of a busy appliance: mostly stage/invalid noise, some opens, rare bans. */
const KIND_WEIGHTS: [string, number][] = [
  ["stage", 800], ["invalid", 50], ["timeout", 80], ["open", 30], ["evicted", 20], ["grant-expired", 10], ["close", 5], ["ban", 3], ["duplicate", 2],
];

/**
 * Seed `n` events into a migrated database, as the worker would have written
 * them over 30 days (ts increasing with id): 70 % from a pool of 20k
 * recurring IPv4 addresses, 5 % IPv6, the rest one-off flood sources.
 */
export function seedEvents(db: SesameDb, n: number, endTs: number): { firstTs: number; endTs: number } {
  const span = 30 * 24 * 3600 * 1000;
  const firstTs = endTs - span;
  let s = 42;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const totalW = KIND_WEIGHTS.reduce((a, [, w]) => a + w, 0);
  const pickKind = (): string => {
    let r = rnd() * totalW;
    for (const [k, w] of KIND_WEIGHTS) if ((r -= w) < 0) return k;
    return "stage";
  };
  const insert = db.$client.prepare("INSERT INTO events (ts, ip, door_id, door_name, kind, stage, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const batch = db.$client.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const u = rnd();
      const ip = u < 0.7
        ? `10.${20 + Math.floor(rnd() * 20)}.${Math.floor(rnd() * 32)}.${Math.floor(rnd() * 32)}`
        : u < 0.75
          ? `fd00:${Math.floor(rnd() * 16).toString(16)}::${Math.floor(rnd() * 65536).toString(16)}`
          : `100.${64 + Math.floor(rnd() * 64)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
      const door = Math.floor(rnd() * EVENT_DOORS.length);
      const kind = pickKind();
      insert.run(firstTs + Math.floor((span * i) / n), ip, door + 1, EVENT_DOORS[door], kind, kind === "stage" ? 1 + Math.floor(rnd() * 3) : null, null);
    }
  });
  for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
  return { firstTs, endTs };
}

/**
 * An IPv4 CIDR as text-prefix ranges the (ip, ts) index can serve: a /p is
 * widened to octet boundaries and enumerated (≤ 128 prefixes), e.g.
 * 10.20.16.0/20 → "10.20.16." … "10.20.31.". Each prefix P is the range [P, P
 * with its final "." replaced by "/") (the next character).
 */
export function cidrToTextRanges(cidr: string): [string, string][] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (prefix < 8 || prefix > 32) throw new Error(`prefix out of range for text ranges: ${cidr}`);
  const whole = Math.ceil(prefix / 8);
  const free = whole * 8 - prefix;
  const last = octets[whole - 1]! & (0xff << free) & 0xff;
  const out: [string, string][] = [];
  for (let v = last; v < last + (1 << free); v++) {
    const p = [...octets.slice(0, whole - 1), v].join(".");
    out.push(whole === 4 ? [p, `${p}\u0000`] : [`${p}.`, `${p}/`]);
  }
  return out;
}

export interface HistoryQuery {
  name: string;
  run(): unknown;
}

const PAGE = 50;
const newestFirst = [desc(events.ts), desc(events.id)];

function page(db: SesameDb, where?: SQL, offset = 0): { id: number; ts: number }[] {
  const q = db.select().from(events).where(where).orderBy(...newestFirst).limit(PAGE).offset(offset);
  return q.all();
}

/** The history page's queries (drizzle, as the UI would build them), each returning one page. */
export function historyQueries(db: SesameDb, span: { firstTs: number; endTs: number }): HistoryQuery[] {
  const first = page(db);
  const cursor = first[first.length - 1]!;
  const total = db.select({ n: count() }).from(events).get()!.n;
  const mid = db.select({ id: events.id, ts: events.ts }).from(events).orderBy(desc(events.ts), desc(events.id)).limit(1).offset(Math.floor(total / 2)).get()!;
  const after = (c: { id: number; ts: number }): SQL => or(lt(events.ts, c.ts), and(eq(events.ts, c.ts), lt(events.id, c.id)))!;
  const day = 24 * 3600 * 1000;
  const cidr = (c: string): SQL => or(...cidrToTextRanges(c).map(([lo, hi]) => and(gte(events.ip, lo), lt(events.ip, hi))))!;
  return [
    { name: "latest page", run: () => page(db) },
    { name: "keyset next page", run: () => page(db, after(cursor)) },
    { name: "keyset page at middle", run: () => page(db, after(mid)) },
    { name: "offset page 2", run: () => page(db, undefined, PAGE) },
    { name: "offset page at middle", run: () => page(db, undefined, PAGE * Math.floor(total / 2 / PAGE)) },
    { name: "filter ip", run: () => page(db, eq(events.ip, "10.25.7.9")) },
    { name: "filter cidr /16", run: () => page(db, cidr("10.25.0.0/16")) },
    { name: "filter cidr /20", run: () => page(db, cidr("10.25.16.0/20")) },
    { name: "filter door", run: () => page(db, eq(events.doorName, "openvpn")) },
    { name: "filter kind open", run: () => page(db, eq(events.kind, "open")) },
    { name: "filter kind ban", run: () => page(db, eq(events.kind, "ban")) },
    { name: "filter time (1 day, mid)", run: () => page(db, and(gte(events.ts, span.firstTs + 15 * day), lt(events.ts, span.firstTs + 16 * day))) },
    { name: "kind+door+7 days", run: () => page(db, and(eq(events.kind, "open"), eq(events.doorName, "ssh"), gte(events.ts, span.endTs - 7 * day))) },
    { name: "ip+kind", run: () => page(db, and(eq(events.ip, "10.25.7.9"), eq(events.kind, "stage"))) },
    { name: "count all", run: () => db.select({ n: count() }).from(events).get() },
    { name: "count kind open", run: () => db.select({ n: count() }).from(events).where(eq(events.kind, "open")).get() },
    { name: "oldest page", run: () => db.select().from(events).orderBy(asc(events.ts), asc(events.id)).limit(PAGE).all() },
    { name: "filter cidr /16 + count", run: () => db.select({ n: sql<number>`count(*)` }).from(events).where(cidr("10.25.0.0/16")).get() },
  ];
}
