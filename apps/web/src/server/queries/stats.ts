import "server-only";
import type { SesameDb } from "@sesame/db";

export const RANGES = {
  "1h": { ms: 3_600_000, buckets: 60, label: "last hour" },
  "24h": { ms: 86_400_000, buckets: 48, label: "last 24 hours" },
  "7d": { ms: 7 * 86_400_000, buckets: 56, label: "last 7 days" },
} as const;
export type RangeKey = keyof typeof RANGES;

export interface Series {
  from: number;
  bucketMs: number;
  knocks: number[];
  opens: number[];
  bans: number[];
  totals: { knocks: number; opens: number; bans: number };
}

const KIND_TO_SERIES: Record<string, keyof Series["totals"]> = { stage: "knocks", open: "opens", ban: "bans" };

/**
 * Knocks (stage events), opens and bans per bucket, over the last `buckets`
 * buckets (the current, partial one included: a little less than the full
 * range). One grouped query per kind over the (kind, ts) index, so it stays
 * fast with millions of rows.
 */
export function readSeries(db: SesameDb, range: RangeKey, now = Date.now()): Series {
  const { ms, buckets } = RANGES[range];
  const bucketMs = Math.ceil(ms / buckets);
  // Buckets on whole multiples of bucketMs, the last one the current (partial) one, so the
  // dashboard can count live events into it and slide on at a real boundary (lib/live-series.ts).
  const from = (Math.floor(now / bucketMs) + 1 - buckets) * bucketMs;
  const out: Series = {
    from,
    bucketMs,
    knocks: new Array<number>(buckets).fill(0),
    opens: new Array<number>(buckets).fill(0),
    bans: new Array<number>(buckets).fill(0),
    totals: { knocks: 0, opens: 0, bans: 0 },
  };
  const stmt = db.$client.prepare(
    "SELECT (ts - ?) / ? AS b, count(*) AS n FROM events WHERE kind = ? AND ts >= ? AND ts <= ? GROUP BY b",
  );
  for (const [kind, key] of Object.entries(KIND_TO_SERIES)) {
    for (const row of stmt.all(from, bucketMs, kind, from, now) as { b: number; n: number }[]) {
      const i = Math.min(buckets - 1, Math.max(0, Math.floor(row.b)));
      out[key][i]! += row.n;
      out.totals[key] += row.n;
    }
  }
  return out;
}
