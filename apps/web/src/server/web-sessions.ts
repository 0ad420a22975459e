import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, isNull, lt, webSessions, type SesameDb } from "@sesame/db";

export type WebSession = typeof webSessions.$inferSelect;
export type RevokeReason = NonNullable<WebSession["revokedReason"]>;

/** Revoked and expired rows are kept this long (for the audit trail), then pruned. */
const KEEP_ENDED_MS = 24 * 3_600_000;

export function createWebSession(db: SesameDb, opts: { user: string; clientAddress: string; ttlMs: number; now: number }): WebSession {
  return db
    .insert(webSessions)
    .values({
      id: randomBytes(32).toString("base64url"),
      user: opts.user,
      createdAt: opts.now,
      expiresAt: opts.now + opts.ttlMs,
      clientAddress: opts.clientAddress,
    })
    .returning()
    .get();
}

/** The session row if it is neither revoked nor expired at `now`. */
export function findActiveWebSession(db: SesameDb, id: string, now: number): WebSession | null {
  if (!id) return null;
  const row = db.select().from(webSessions).where(eq(webSessions.id, id)).get();
  return row && row.revokedAt === null && row.expiresAt > now ? row : null;
}

/** End one session (logout). True when it was still open. */
export function revokeWebSession(db: SesameDb, id: string, reason: RevokeReason, now: number): boolean {
  return (
    db
      .update(webSessions)
      .set({ revokedAt: now, revokedReason: reason })
      .where(and(eq(webSessions.id, id), isNull(webSessions.revokedAt)))
      .run().changes > 0
  );
}

/** End every open session (a password change signs out everywhere). Returns how many. */
export function revokeAllWebSessions(db: SesameDb, reason: RevokeReason, now: number): number {
  return db.update(webSessions).set({ revokedAt: now, revokedReason: reason }).where(isNull(webSessions.revokedAt)).run().changes;
}

/** Forget sessions that ended (expired or revoked) more than a day ago. */
export function pruneWebSessions(db: SesameDb, now: number): number {
  const before = now - KEEP_ENDED_MS;
  const expired = db.delete(webSessions).where(lt(webSessions.expiresAt, before)).run().changes;
  return expired + db.delete(webSessions).where(lt(webSessions.revokedAt, before)).run().changes;
}
