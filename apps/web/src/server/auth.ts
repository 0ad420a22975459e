import "server-only";
import { getDb } from "./db";
import { clearFailures, currentLock, lockMessage, MAX_FAILURES, reserveAttempt } from "./login-throttle";
import { hashPassword, verifyPassword } from "./password";
import { loadSecrets, updateSecrets } from "./secrets";
import { revokeAllWebSessions } from "./web-sessions";

export const ADMIN_USER = "admin";

export type LoginResult = { ok: true } | { ok: false; status: 401 | 429 | 409; message: string };

/** Check the admin password for a client address, with throttling. Does not touch cookies. */
export async function attemptLogin(address: string, password: string, now = Date.now()): Promise<LoginResult> {
  const db = getDb();
  const secrets = loadSecrets();
  if (!secrets.admin) {
    return { ok: false, status: 409, message: "No admin password is set yet. Open the one-time setup link printed in the server log." };
  }
  const check = reserveAttempt(db, address, now);
  if (!check.allowed) return { ok: false, status: 429, message: lockMessage(check.retryInMs) };
  if (await verifyPassword(password, secrets.admin.hash)) {
    clearFailures(db, address);
    return { ok: true };
  }
  if (check.failures >= MAX_FAILURES) {
    return { ok: false, status: 429, message: `Wrong password. ${lockMessage(currentLock(db, address, now) ?? 0)}` };
  }
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
