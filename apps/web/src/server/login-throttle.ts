import "server-only";
import { clientBlock } from "@sesame/core";
import { eq, loginAttempts, sql, type SesameDb } from "@sesame/db";
import { isAddressTrusted, readActiveTrusted } from "./lockout";

export const MAX_FAILURES = 5;
const BASE_LOCK_MS = 60_000;
const MAX_LOCK_MS = 60 * 60_000;
/** Quiet time after which an address's failures are forgotten. */
const WINDOW_MS = 60 * 60_000;

/**
 * The global ceiling: at most this many failed logins per minute across all
 * clients, then every login (but from a trusted network) gets a 429 until
 * that minute is over. Per-client limits alone let a /48 (65,536 /64s) buy
 * 65,536 × 5 guesses at once, and 32 MiB of scrypt each; this bounds the
 * guess rate and the memory, and the lock never outlasts the minute, so
 * the real admin waits at most a minute (none from a trusted network).
 */
export const GLOBAL_MAX_FAILURES = 30;
export const GLOBAL_WINDOW_MS = 60_000;
/** Row key of the global counter ("*" is never a client block). */
export const GLOBAL_KEY = "*";

export type ThrottleScope = "client" | "global";
export type ThrottleLock = { retryInMs: number; scope: ThrottleScope };
export type ThrottleCheck = { allowed: true; failures: number; globalFailures: number } | ({ allowed: false } & ThrottleLock);

/** 5 failures → locked 60 s; every further failure doubles the lock, up to an hour. */
export function lockDurationMs(failures: number): number {
  if (failures < MAX_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - MAX_FAILURES));
}

export function lockMessage(lock: ThrottleLock): string {
  const secs = Math.max(1, Math.ceil(lock.retryInMs / 1000));
  return lock.scope === "global"
    ? `Too many failed logins on this appliance in the last minute (from all addresses). Try again in ${secs} s.`
    : `Too many failed attempts from your address. Try again in ${secs} s.`;
}

type Tx = Parameters<Parameters<SesameDb["transaction"]>[0]>[0];

function readRow(tx: Tx | SesameDb, key: string) {
  return tx.select().from(loginAttempts).where(eq(loginAttempts.address, key)).get();
}

function writeRow(tx: Tx, key: string, exists: boolean, values: { failures: number; firstFailureAt: number; lockedUntil: number | null }): void {
  if (exists) tx.update(loginAttempts).set(values).where(eq(loginAttempts.address, key)).run();
  else tx.insert(loginAttempts).values({ address: key, ...values }).run();
}

/**
 * Count this attempt as a failure *before* the (slow) password check, in
 * one transaction, so parallel guesses cannot slip past the limit; a
 * successful login then clears the record (clearFailures). Failures are
 * counted per client block (clientBlock: an IPv4 address, an IPv6 /64), so
 * a guesser cannot get 5 fresh tries per address of its /64, and globally
 * (GLOBAL_MAX_FAILURES a minute), so it cannot get them from many /64s.
 */
export function reserveAttempt(db: SesameDb, client: string, now: number): ThrottleCheck {
  const address = clientBlock(client);
  return db.transaction((tx): ThrottleCheck => {
    const row = readRow(tx, address);
    if (row?.lockedUntil && row.lockedUntil > now) return { allowed: false, retryInMs: row.lockedUntil - now, scope: "client" };
    const global = readRow(tx, GLOBAL_KEY);
    const exempt = isAddressTrusted(readActiveTrusted(tx, now), client);
    if (!exempt && global?.lockedUntil && global.lockedUntil > now) return { allowed: false, retryInMs: global.lockedUntil - now, scope: "global" };
    // Forget an address an hour after its last failure or lock ended.
    const stale = row && now - Math.max(row.firstFailureAt, row.lockedUntil ?? 0) > WINDOW_MS;
    const failures = !row || stale ? 1 : row.failures + 1;
    const lock = lockDurationMs(failures);
    writeRow(tx, address, !!row, { failures, firstFailureAt: !row || stale ? now : row.firstFailureAt, lockedUntil: lock > 0 ? now + lock : null });
    // The global counter: a fixed one-minute window; the lock ends with the window.
    const fresh = !global || now - global.firstFailureAt >= GLOBAL_WINDOW_MS;
    const windowStart = fresh ? now : global.firstFailureAt;
    const globalFailures = fresh ? 1 : global.failures + 1;
    const globalLock = globalFailures >= GLOBAL_MAX_FAILURES ? windowStart + GLOBAL_WINDOW_MS : null;
    writeRow(tx, GLOBAL_KEY, !!global, { failures: globalFailures, firstFailureAt: windowStart, lockedUntil: globalLock });
    return { allowed: true, failures, globalFailures };
  }, { behavior: "immediate" });
}

/** After a successful login: the client's record goes, and its reserved attempt no longer counts globally. */
export function clearFailures(db: SesameDb, client: string): void {
  db.transaction((tx) => {
    tx.delete(loginAttempts).where(eq(loginAttempts.address, clientBlock(client))).run();
    tx.update(loginAttempts)
      .set({ failures: sql`max(0, ${loginAttempts.failures} - 1)` })
      .where(eq(loginAttempts.address, GLOBAL_KEY))
      .run();
  });
}

/** The lock a client is under now (for the login page), if any: its own, else the global one. */
export function currentLock(db: SesameDb, client: string, now: number): ThrottleLock | null {
  const row = readRow(db, clientBlock(client));
  if (row?.lockedUntil && row.lockedUntil > now) return { retryInMs: row.lockedUntil - now, scope: "client" };
  const global = readRow(db, GLOBAL_KEY);
  if (global?.lockedUntil && global.lockedUntil > now && !isAddressTrusted(readActiveTrusted(db, now), client)) {
    return { retryInMs: global.lockedUntil - now, scope: "global" };
  }
  return null;
}
