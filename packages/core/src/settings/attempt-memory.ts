/**
 * How many pending knock attempts a machine can afford. One pending attempt
 * costs ~180 B of heap (matcher-attempts.test.ts: +54 MB for 300k), plus,
 * under a flood at the cap, the entry of a source whose attempt was evicted
 * until the next sweep; 400 B leaves room for the Map doubling while it
 * grows and for V8's own slack.
 */
export const BYTES_PER_PENDING_ATTEMPT = 400;
/** The attempt store may take at most this share of the machine's memory (a flood must not starve the rest). */
export const ATTEMPT_MEMORY_SHARE = 0.25;
export const MIN_ATTEMPT_CAP = 1000;
/** Keeps the per-source Map (live plus up to half as many not yet swept sources) within V8's limit of 2^24 entries. */
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
