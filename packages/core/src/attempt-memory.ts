/**
 * How many pending knock attempts a machine can afford. The worker's peak
 * RSS at the 250k default cap is ~107 MB against a ~70 MB baseline (README
 * bench figures), ~150 B per attempt; 400 B leaves room for the attempt
 * table doubling while it grows and for V8's own slack.
 */
export const BYTES_PER_PENDING_ATTEMPT = 400;
/** The attempt store may take at most this share of the machine's memory (a flood must not starve the rest). */
export const ATTEMPT_MEMORY_SHARE = 0.25;
export const MIN_ATTEMPT_CAP = 1000;
/** Above this the per-IP slot table stops being the bottleneck's friend whatever the memory. */
export const MAX_ATTEMPT_CAP = 5_000_000;

/** The largest attempt cap `totalMemoryBytes` allows (never under MIN_ATTEMPT_CAP, never over MAX_ATTEMPT_CAP). */
export function computeAttemptCapLimit(totalMemoryBytes: number): number {
  if (!Number.isFinite(totalMemoryBytes) || totalMemoryBytes <= 0) return MIN_ATTEMPT_CAP;
  const fits = Math.floor((totalMemoryBytes * ATTEMPT_MEMORY_SHARE) / BYTES_PER_PENDING_ATTEMPT);
  // Round down to a thousand so the figure shown in the form is the one enforced.
  return Math.min(MAX_ATTEMPT_CAP, Math.max(MIN_ATTEMPT_CAP, Math.floor(fits / 1000) * 1000));
}

/** "1 GiB of memory allows at most 671000 pending attempts (400 B each, a quarter of memory)." */
export function describeAttemptCapLimit(totalMemoryBytes: number): string {
  const gib = totalMemoryBytes / 2 ** 30;
  const mem = gib >= 10 ? gib.toFixed(0) : gib.toFixed(1);
  return `This machine's ${mem} GiB of memory allows at most ${computeAttemptCapLimit(totalMemoryBytes)} pending attempts (${BYTES_PER_PENDING_ATTEMPT} B each, a quarter of memory).`;
}
