import "server-only";
import { getIronSession, type IronSession, type SessionOptions } from "iron-session";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/env";
import { getClientAddress, isHttpsRequest } from "./client-address";
import { loadSecrets } from "./secrets";

export const SESSION_COOKIE = "sesame_session";

export interface SessionData {
  user?: string;
  /** ms since epoch; sessions issued before a password change are void. */
  issuedAt?: number;
}

export interface ValidSession {
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

/** The session if it is valid now (sealed by us, not expired, not revoked by a password change). */
export async function readValidSession(): Promise<ValidSession | null> {
  const session = await getSession();
  const { user, issuedAt } = session;
  if (!user || typeof issuedAt !== "number") return null;
  const ttlMs = getEnv().SESAME_SESSION_HOURS * 3_600_000;
  const now = Date.now();
  if (issuedAt + ttlMs <= now) return null;
  if (issuedAt < loadSecrets().sessionsValidAfter) return null;
  return { user, issuedAt, expiresAt: issuedAt + ttlMs, actor: `${user}@${await getClientAddress()}` };
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

/** Start a fresh session for the admin (after login, setup or a password change). */
export async function startSession(user: string): Promise<void> {
  const session = await getSession();
  session.user = user;
  session.issuedAt = Date.now();
  await session.save();
}

export async function endSession(): Promise<void> {
  const session = await getSession();
  session.destroy();
}
