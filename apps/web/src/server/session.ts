import "server-only";
import { getIronSession, type IronSession, type SessionOptions } from "iron-session";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/env";
import { getClientAddress, isHttpsRequest } from "./client-address";
import { applyChange } from "./config-write";
import { getDb } from "./db";
import { loadSecrets } from "./secrets";
import { createWebSession, findActiveWebSession, revokeWebSession } from "./web-sessions";

export const SESSION_COOKIE = "sesame_session";

export interface SessionData {
  user?: string;
  /** ms since epoch; sessions issued before a password change are void. */
  issuedAt?: number;
  /** The web_sessions row: revoking it (logout, password change) ends the session on the server. */
  sid?: string;
}

export interface ValidSession {
  /** web_sessions.id */
  id: string;
  user: string;
  issuedAt: number;
  expiresAt: number;
  /** Who to name in the audit log: "admin@10.0.0.5". */
  actor: string;
}

async function sessionOptions(): Promise<SessionOptions> {
  const env = getEnv();
  const secure = env.SESAME_SECURE_COOKIES === "auto" ? isHttpsRequest(await headers()) : env.SESAME_SECURE_COOKIES;
  return {
    cookieName: SESSION_COOKIE,
    password: loadSecrets().sessionKey,
    ttl: Math.round(env.SESAME_SESSION_HOURS * 3600),
    cookieOptions: { httpOnly: true, sameSite: "lax", secure, path: "/" },
  };
}

export async function getSession(): Promise<IronSession<SessionData>> {
  return getIronSession<SessionData>(await cookies(), await sessionOptions());
}

/**
 * The session if it is valid now: sealed by us, its web_sessions row neither
 * revoked (logout, password change) nor expired, and not issued before the
 * last password change. A cookie copied before a logout is worthless after it.
 */
export async function readValidSession(): Promise<ValidSession | null> {
  const session = await getSession();
  const { user, issuedAt, sid } = session;
  if (!user || typeof issuedAt !== "number" || typeof sid !== "string") return null;
  const now = Date.now();
  if (issuedAt < loadSecrets().sessionsValidAfter) return null;
  const row = findActiveWebSession(getDb(), sid, now);
  if (!row || row.user !== user) return null;
  return { id: row.id, user, issuedAt, expiresAt: row.expiresAt, actor: `${user}@${await getClientAddress()}` };
}

/** Whether a session read earlier is still open (the live stream re-checks every second). */
export function isSessionStillValid(session: ValidSession, now = Date.now()): boolean {
  return session.issuedAt >= loadSecrets().sessionsValidAfter && findActiveWebSession(getDb(), session.id, now) !== null;
}

/**
 * The one gate every page and server action passes through: the valid
 * session, or a redirect to the login page. (proxy.ts also redirects
 * cookie-less requests early, but nothing relies on it.)
 */
export async function requireSession(): Promise<ValidSession> {
  const session = await readValidSession();
  if (!session) redirect("/login");
  return session;
}

/** The same gate for route handlers: the session, or a 401 JSON response to return as is. */
export async function requireApiSession(): Promise<{ ok: true; session: ValidSession } | { ok: false; response: Response }> {
  const session = await readValidSession();
  if (session) return { ok: true, session };
  return {
    ok: false,
    response: Response.json({ error: { code: "unauthorized", message: "Log in first." } }, { status: 401 }),
  };
}

/** Start a fresh session for the admin (after login, setup or a password change). Returns its id. */
export async function startSession(user: string): Promise<string> {
  const session = await getSession();
  const now = Date.now();
  const row = createWebSession(getDb(), {
    user,
    clientAddress: await getClientAddress(),
    ttlMs: Math.round(getEnv().SESAME_SESSION_HOURS * 3_600_000),
    now,
  });
  session.user = user;
  session.issuedAt = now;
  session.sid = row.id;
  await session.save();
  return row.id;
}

/** Log out: revoke this browser's session on the server (audited), then clear its cookie. */
export async function endSession(actor: string): Promise<void> {
  const session = await getSession();
  const db = getDb();
  if (typeof session.sid === "string" && revokeWebSession(db, session.sid, "logout", Date.now())) {
    const address = await getClientAddress();
    applyChange(db, actor, { bumpConfig: false }, ({ record }) => record({ action: "logout", entity: "session", after: { address } }));
  }
  session.destroy();
}
