/**
 * The longest a grant or a ban may last, and the clamps that keep every
 * expiry that reaches the kernel inside them. One place, so the door form,
 * the UI's extend button and the worker agree. An expiry past its cap is
 * not an error to refuse but a time to shorten: the kernel must never be
 * handed a timeout it rejects (nft refuses 1e8 s and more, and one refused
 * element used to void the whole table at start-up).
 */

/** A grant lasts at most one day from now: a door opens for at most that long, and extend never stacks past it. */
export const MAX_GRANT_SEC = 86_400;

/** The pending-attempt cap when none is set: the matcher's default and the settings'. */
export const DEFAULT_MAX_ATTEMPTS = 250_000;

/** A ban lasts at most one year from now (what a decoy door may set). */
export const MAX_BAN_SEC = 31_536_000;

/** `expiresAt` (ms) no later than `now + maxSec`; a finite number is assumed (callers validate first). */
export function clampExpiry(expiresAt: number, now: number, maxSec: number): number {
  return Math.min(expiresAt, now + maxSec * 1000);
}

/**
 * The UI's extend: `bySec` more from the current expiry or from now,
 * whichever is later, but never past MAX_GRANT_SEC from now however many
 * times it is pressed.
 */
export function extendGrantExpiry(currentExpiresAt: number, now: number, bySec: number): number {
  const base = Number.isFinite(currentExpiresAt) ? Math.max(currentExpiresAt, now) : now;
  return clampExpiry(base + bySec * 1000, now, MAX_GRANT_SEC);
}
