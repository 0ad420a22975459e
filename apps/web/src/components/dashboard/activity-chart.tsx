"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { subscribeLive } from "@/components/live-stream";
import { formatClock, formatDay } from "@/lib/format";
import { addEventsToSeries, type ChartSeries } from "@/lib/live-series";

export type { ChartSeries };

const W = 720;
const H = 190;
const PAD = { l: 40, r: 12, t: 12, b: 26 };
const subscribe = () => () => {};

function niceMax(v: number): number {
  if (v <= 4) return 4;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= v) return m * mag;
  return 10 * mag;
}

/** Axis labels in the browser's zone, 24-hour like every other time in the UI. */
function tickLabel(ts: number, spanMs: number, isClient: boolean): string {
  if (!isClient) return "";
  return spanMs > 2 * 86_400_000 ? formatDay(ts) : formatClock(ts);
}

/**
 * The chart as rendered, plus every knock, open and ban the live stream has
 * brought since (events after `upToEventId`, the last one the server counted).
 * A fresh server render (range change, auto refresh) starts over from its series.
 */
export function LiveActivityChart({ series, upToEventId, label }: { series: ChartSeries; upToEventId: number; label: string }) {
  const [live, setLive] = useState(series);
  useEffect(() => {
    let current = series;
    let lastId = upToEventId;
    setLive(series);
    return subscribeLive({
      events: (rows) => {
        const fresh = rows.filter((r) => r.id > lastId);
        if (fresh.length === 0) return;
        lastId = fresh[fresh.length - 1]!.id;
        const next = addEventsToSeries(current, fresh);
        if (next !== current) setLive((current = next));
      },
    });
  }, [series, upToEventId]);
  return <ActivityChart series={live} label={label} />;
}

/** Knocks as bars, opens and bans as lines; plain SVG, no chart library. */
export function ActivityChart({ series, label }: { series: ChartSeries; label: string }) {
  const isClient = useSyncExternalStore(subscribe, () => true, () => false);
  const n = series.knocks.length;
  const max = niceMax(Math.max(1, ...series.knocks, ...series.opens, ...series.bans));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / n;
  const x = (i: number) => PAD.l + i * bw;
  const y = (v: number) => PAD.t + ih - (v / max) * ih;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f));
  // Ticks on bucket edges, first and last anchored inside the plot.
  const xTicks = [0, Math.round(n / 4), Math.round(n / 2), Math.round((3 * n) / 4), n];
  const total = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const summary = `${label}: ${total(series.knocks)} knocks, ${total(series.opens)} opens, ${total(series.bans)} bans.`;
  const bar = (cls: string, v: number, i: number, slot: number, width: number) =>
    v > 0 ? <rect key={`${cls}-${i}`} className={cls} x={x(i) + bw * slot} width={Math.max(1, bw * width)} y={y(v)} height={Math.max(1, PAD.t + ih - y(v))} /> : null;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" data-testid="activity-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <title>{summary}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line className={t === 0 ? "axis" : "grid"} x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} />
            <text x={PAD.l - 6} y={y(t) + 4} textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {series.knocks.map((v, i) => bar("s-knocks", v, i, 0.12, 0.36))}
        {series.opens.map((v, i) => bar("s-opens", v, i, 0.5, 0.18))}
        {series.bans.map((v, i) => bar("s-bans", v, i, 0.7, 0.18))}
        {xTicks.map((i) => (
          <text key={i} className="x-tick" x={x(i)} y={H - 8} textAnchor={i === 0 ? "start" : i === n ? "end" : "middle"}>
            {tickLabel(series.from + i * series.bucketMs, n * series.bucketMs, isClient)}
          </text>
        ))}
      </svg>
      <figcaption className="legend">
        <span style={{ ["--c" as string]: "var(--info)" }}>Knocks</span>
        <span style={{ ["--c" as string]: "var(--ok)" }}>Opens</span>
        <span style={{ ["--c" as string]: "var(--danger)" }}>Bans</span>
      </figcaption>
    </figure>
  );
}
