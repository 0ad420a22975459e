import "server-only";
import { bans, desc, type SesameDb } from "@sesame/db";

/** The most recent bans, newest first (the decoys page splits them into active and past). */
export function findRecentBans(db: SesameDb, limit = 200) {
  return db.select().from(bans).orderBy(desc(bans.createdAt)).limit(limit).all();
}
