/** The activity chart's buckets, as the server reads them (queries/stats.ts) and the live stream extends them. */
export interface ChartSeries {
  from: number;
  bucketMs: number;
  knocks: number[];
  opens: number[];
  bans: number[];
}

const KIND_TO_SERIES: Record<string, "knocks" | "opens" | "bans"> = { stage: "knocks", open: "opens", ban: "bans" };

/**
 * Adds live events to the chart: a knock (stage), open or ban is counted in
 * its bucket; one newer than the last bucket slides the window on (whole
 * buckets, the oldest drop out, as a fresh server read would). Pure: returns
 * a new series, or the same one when nothing counted.
 */
export function addEventsToSeries(series: ChartSeries, events: readonly { ts: number; kind: string }[]): ChartSeries {
  const counted = events.filter((e) => KIND_TO_SERIES[e.kind] !== undefined && e.ts >= series.from);
  if (counted.length === 0) return series;
  const n = series.knocks.length;
  const latest = Math.max(...counted.map((e) => e.ts));
  const shift = Math.max(0, Math.floor((latest - series.from) / series.bucketMs) - (n - 1));
  const slide = (a: number[]) => (shift >= n ? new Array<number>(n).fill(0) : [...a.slice(shift), ...new Array<number>(shift).fill(0)]);
  const out: ChartSeries = { from: series.from + shift * series.bucketMs, bucketMs: series.bucketMs, knocks: slide(series.knocks), opens: slide(series.opens), bans: slide(series.bans) };
  for (const e of counted) {
    const i = Math.floor((e.ts - out.from) / series.bucketMs);
    if (i >= 0 && i < n) out[KIND_TO_SERIES[e.kind]!][i]! += 1;
  }
  return out;
}

/**
 * Knocks, opens and bans among `counted` newer than `afterId`: what the live
 * stream adds to totals the server summed up to event `afterId`. Kept by id so
 * that a refresh (newer totals, higher `afterId`) never counts an event twice.
 */
export function countEventsAfter(counted: readonly { id: number; kind: string }[], afterId: number): { knocks: number; opens: number; bans: number } {
  const f = { knocks: 0, opens: 0, bans: 0 };
  for (const e of counted) {
    if (e.id <= afterId) continue;
    if (e.kind === "stage") f.knocks++;
    else if (e.kind === "open") f.opens++;
    else if (e.kind === "ban") f.bans++;
  }
  return f;
}
