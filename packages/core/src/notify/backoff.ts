/**
 * Retry schedule for a failed delivery: 1 s, 2 s, 4 s … doubling up to 5
 * minutes, each ±20 % (random injected) so channels that failed together do
 * not retry in lockstep. After MAX_DELIVERY_ATTEMPTS (about 30 minutes of
 * trying) the message is dropped and counted as such.
 */
export const RETRY_BASE_MS = 1000;
export const RETRY_CAP_MS = 5 * 60_000;
export const MAX_DELIVERY_ATTEMPTS = 14;

/** Delay before attempt `failures + 1`, after `failures` (>= 1) failed attempts; random in [0, 1). */
export function retryDelayMs(failures: number, random: number): number {
  const n = Math.max(1, Math.floor(failures));
  const base = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 30));
  const jitter = 0.8 + 0.4 * Math.min(Math.max(random, 0), 1);
  return Math.round(base * jitter);
}

/** Whether another attempt is due after this many failures. */
export function shouldRetry(failures: number): boolean {
  return failures < MAX_DELIVERY_ATTEMPTS;
}
