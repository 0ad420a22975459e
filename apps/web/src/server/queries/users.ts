import "server-only";
import { asc, eq, userCredentials, users, type SesameDb } from "@sesame/db";

/**
 * Users and their credentials for the pages. Key material is never selected
 * here: it is shown once, by the action that generates it, and only the
 * worker reads it afterwards.
 */

const CREDENTIAL_COLUMNS = {
  id: userCredentials.id,
  userId: userCredentials.userId,
  kind: userCredentials.kind,
  spaHmacDigest: userCredentials.spaHmacDigest,
  createdAt: userCredentials.createdAt,
  expiresAt: userCredentials.expiresAt,
  revokedAt: userCredentials.revokedAt,
  lastUsedAt: userCredentials.lastUsedAt,
};

export type CredentialSummary = ReturnType<typeof findCredentials>[number];

export function findUsers(db: SesameDb) {
  return db.select().from(users).orderBy(asc(users.name)).all();
}

export function findUser(db: SesameDb, id: number) {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Credentials (newest first) without key material; one user's when `userId` is given. */
export function findCredentials(db: SesameDb, userId?: number) {
  const q = db.select(CREDENTIAL_COLUMNS).from(userCredentials);
  return (userId === undefined ? q : q.where(eq(userCredentials.userId, userId))).orderBy(asc(userCredentials.id)).all().reverse();
}

/** A credential works now: not revoked, not past its grace expiry. */
export function isCredentialActive(c: { revokedAt: number | null; expiresAt: number | null }, now: number): boolean {
  return c.revokedAt === null && (c.expiresAt === null || c.expiresAt > now);
}
