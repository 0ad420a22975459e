"use client";

import { useSyncExternalStore } from "react";

export interface ChartSeries {
  from: number;
  bucketMs: number;
  knocks: number[];
  opens: number[];
  bans: number[];
}

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

function tickLabel(ts: number, spanMs: number, isClient: boolean): string {
  if (!isClient) return "";
  const d = new Date(ts);
  if (spanMs > 2 * 86_400_000) return d.toLocaleDateString(undefined, { weekday: "short", day: "numeric" });
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
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
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
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
          <text key={i} x={x(i)} y={H - 8} textAnchor={i === 0 ? "start" : i === n ? "end" : "middle"}>
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
