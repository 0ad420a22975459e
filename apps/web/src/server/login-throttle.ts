import "server-only";
import { clientBlock } from "@sesame/core";
import { eq, loginAttempts, type SesameDb } from "@sesame/db";

export const MAX_FAILURES = 5;
const BASE_LOCK_MS = 60_000;
const MAX_LOCK_MS = 60 * 60_000;
/** Quiet time after which an address's failures are forgotten. */
const WINDOW_MS = 60 * 60_000;

export type ThrottleCheck = { allowed: true; failures: number } | { allowed: false; retryInMs: number };

/** 5 failures → locked 60 s; every further failure doubles the lock, up to an hour. */
export function lockDurationMs(failures: number): number {
  if (failures < MAX_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - MAX_FAILURES));
}

export function lockMessage(retryInMs: number): string {
  return `Too many failed attempts from your address. Try again in ${Math.max(1, Math.ceil(retryInMs / 1000))} s.`;
}

/**
 * Count this attempt as a failure *before* the (slow) password check, in
 * one transaction, so parallel guesses cannot slip past the limit; a
 * successful login then clears the record (clearFailures). Failures are
 * counted per client block (clientBlock: an IPv4 address, an IPv6 /64), so
 * a guesser cannot get 5 fresh tries per address of its /64.
 */
export function reserveAttempt(db: SesameDb, client: string, now: number): ThrottleCheck {
  const address = clientBlock(client);
  return db.transaction((tx) => {
    const row = tx.select().from(loginAttempts).where(eq(loginAttempts.address, address)).get();
    if (row?.lockedUntil && row.lockedUntil > now) return { allowed: false, retryInMs: row.lockedUntil - now };
    // Forget an address an hour after its last failure or lock ended.
    const stale = row && now - Math.max(row.firstFailureAt, row.lockedUntil ?? 0) > WINDOW_MS;
    const failures = !row || stale ? 1 : row.failures + 1;
    const lock = lockDurationMs(failures);
    const values = {
      failures,
      firstFailureAt: !row || stale ? now : row.firstFailureAt,
      lockedUntil: lock > 0 ? now + lock : null,
    };
    if (row) tx.update(loginAttempts).set(values).where(eq(loginAttempts.address, address)).run();
    else tx.insert(loginAttempts).values({ address, ...values }).run();
    return { allowed: true, failures };
  }, { behavior: "immediate" });
}

export function clearFailures(db: SesameDb, client: string): void {
  db.delete(loginAttempts).where(eq(loginAttempts.address, clientBlock(client))).run();
}

/** Current lock for a client (for the login page), if any. */
export function currentLock(db: SesameDb, client: string, now: number): number | null {
  const row = db.select().from(loginAttempts).where(eq(loginAttempts.address, clientBlock(client))).get();
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil - now : null;
}
