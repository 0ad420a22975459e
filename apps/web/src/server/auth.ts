import "server-only";
import { clientBlock } from "@sesame/core";
import { applyChange } from "./config-write";
import { getDb } from "./db";
import { clearFailures, currentLock, GLOBAL_MAX_FAILURES, lockMessage, MAX_FAILURES, reserveAttempt, type ThrottleLock } from "./login-throttle";
import { hashPassword, verifyPassword } from "./password";
import { loadSecrets, updateSecrets } from "./secrets";
import { revokeAllWebSessions } from "./web-sessions";

export const ADMIN_USER = "admin";

export type LoginResult = { ok: true } | { ok: false; status: 401 | 429 | 409; message: string };

/**
 * Check the admin password for a client address, with throttling. Does not
 * touch cookies. Each checked password is audited with the address and the
 * throttle state; a request refused by a lock is not (it costs an attacker
 * nothing, so one row each would let it fill the disk).
 */
export async function attemptLogin(address: string, password: string, now = Date.now()): Promise<LoginResult> {
  const db = getDb();
  const secrets = loadSecrets();
  if (!secrets.admin) {
    return { ok: false, status: 409, message: "No admin password is set yet. Open the one-time setup link printed in the server log." };
  }
  const check = reserveAttempt(db, address, now);
  if (!check.allowed) return { ok: false, status: 429, message: lockMessage(check) };
  const record = (ok: boolean, lock: ThrottleLock | null) =>
    applyChange(db, `${ok ? ADMIN_USER : "unknown"}@${address}`, { bumpConfig: false }, ({ record }) =>
      record({
        action: ok ? "login" : "login-failed",
        entity: "session",
        after: {
          address,
          throttle: {
            block: clientBlock(address),
            failures: check.failures,
            globalFailures: check.globalFailures,
            locked: lock ? { scope: lock.scope, seconds: Math.ceil(lock.retryInMs / 1000) } : null,
          },
        },
      }),
    );
  if (await verifyPassword(password, secrets.admin.hash)) {
    clearFailures(db, address);
    record(true, null);
    return { ok: true };
  }
  const lock = check.failures >= MAX_FAILURES || check.globalFailures >= GLOBAL_MAX_FAILURES ? currentLock(db, address, now) : null;
  record(false, lock);
  if (lock) return { ok: false, status: 429, message: `Wrong password. ${lockMessage(lock)}` };
  const left = MAX_FAILURES - check.failures;
  return { ok: false, status: 401, message: `Wrong password. ${left} attempt${left === 1 ? "" : "s"} left before a temporary lock.` };
}

/** Set a new admin password and void every existing session (sign out everywhere). */
export async function setAdminPassword(password: string, now = Date.now()): Promise<void> {
  const hash = await hashPassword(password);
  updateSecrets((s) => ({ ...s, admin: { hash, changedAt: now }, setup: null, sessionsValidAfter: now }));
  revokeAllWebSessions(getDb(), "password-change", now);
}

export async function isCurrentPassword(password: string): Promise<boolean> {
  const admin = loadSecrets().admin;
  return !!admin && (await verifyPassword(password, admin.hash));
}
