import type { DaemonKind } from "./daemons";
import { DAEMON_LABELS } from "./daemons";
import { ratioOf } from "./stats";

/** One line of the results table: a metric measured for each daemon. */
export interface Row {
  section: string;
  metric: string;
  /** Per daemon; null = measured but no value (e.g. never opened); absent = not run. */
  values: Partial<Record<DaemonKind, number | null>>;
  /** Sesame's target, human readable (e.g. "≤ 3"). */
  target?: string;
  /** Whether Sesame (native) met the target; undefined when there is no target. */
  met?: boolean | null;
  /** Decimal places to show. */
  digits?: number;
}

/** A bar chart panel for the SVG plot: one group per x label, one bar per daemon. */
export interface Panel {
  title: string;
  unit: string;
  groups: { label: string; values: Partial<Record<DaemonKind, number | null>> }[];
  /** Log scale on the value axis (CPU per packet spans orders of magnitude). */
  log?: boolean;
}

export interface MeasureOutcome {
  name: string;
  rows: Row[];
  panels: Panel[];
  /** Everything measured, for results.json. */
  raw: unknown;
  /** Caveats the reader must see next to the figures. */
  notes: string[];
}

export const TABLE_DAEMONS: DaemonKind[] = ["sesame", "sesame-base", "sesame-dropin", "knockd", "sesame-fwknopd", "fwknopd"];

function fmt(v: number | null | undefined, digits: number): string {
  if (v === undefined) return "–";
  if (v === null) return "n/a";
  if (Math.abs(v) >= 1e5) return v.toExponential(2);
  return v.toFixed(digits);
}

function fmtRatio(a: number | null | undefined, b: number | null | undefined): string {
  const ratio = ratioOf(a, b);
  return ratio === null ? "–" : `${ratio.toFixed(ratio < 0.1 ? 3 : 2)}×`;
}

/**
 * Fixed-width text table: figures per daemon, ratio Sesame/knockd (and
 * Sesame/before when a `--base` column ran, Sesame/fwknopd when fwknopd
 * ran), target, met. A daemon column shows only when some row has its figure.
 */
export function formatTable(rows: Row[]): string {
  const shown = TABLE_DAEMONS.filter((k) => rows.some((r) => r.values[k] !== undefined));
  const withBase = shown.includes("sesame-base");
  const withFwknopd = shown.includes("fwknopd");
  const withKnockd = shown.includes("knockd") || !withFwknopd;
  const header = ["section", "metric", ...shown.map((d) => DAEMON_LABELS[d]), ...(withBase ? ["Sesame/before"] : []), ...(withKnockd ? ["Sesame/knockd"] : []), ...(withFwknopd ? ["Sesame/fwknopd"] : []), "target", "met"];
  const lines: string[][] = [header];
  for (const r of rows) {
    const d = r.digits ?? 2;
    lines.push([
      r.section,
      r.metric,
      ...shown.map((k) => fmt(r.values[k], d)),
      ...(withBase ? [fmtRatio(r.values.sesame, r.values["sesame-base"])] : []),
      ...(withKnockd ? [fmtRatio(r.values.sesame, r.values.knockd)] : []),
      ...(withFwknopd ? [fmtRatio(r.values.sesame, r.values.fwknopd)] : []),
      r.target ?? "",
      r.met === undefined ? "" : r.met === null ? "?" : r.met ? "yes" : "NO",
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const render = (l: string[]): string => l.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [render(lines[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...lines.slice(1).map(render)].join("\n");
}

/** Target check helpers: null when Sesame's value is missing. */
export function atMost(v: number | null | undefined, limit: number): boolean | null {
  return v === null || v === undefined ? null : v <= limit;
}
export function atLeast(v: number | null | undefined, limit: number): boolean | null {
  return v === null || v === undefined ? null : v >= limit;
}
