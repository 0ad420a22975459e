/** Small, dependency-free statistics for benchmark figures. */

export interface Summary {
  n: number;
  min: number;
  median: number;
  p90: number;
  max: number;
  mean: number;
}

/**
 * The p-th percentile (0..100) of `values` with linear interpolation between
 * closest ranks (numpy's default), so a p90 of 50 samples is not just a
 * single sample's value. Undefined for an empty list.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError(`percentile out of range: ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** min/median/p90/max/mean of `values`; undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return {
    n: values.length,
    min: Math.min(...values),
    median: percentile(values, 50)!,
    p90: percentile(values, 90)!,
    max: Math.max(...values),
    mean: sum / values.length,
  };
}

/** a / b, or null when either is missing or b is 0 (a ratio must never be invented). */
export function ratioOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** Round for display/JSON without trailing noise. */
export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
