import "server-only";
import type { SesameDb } from "@sesame/db";
import type { EventView } from "@/lib/live-types";

/**
 * A user's latest events (opens, SPA and rotating-knock refusals, grant
 * ends), newest first. Events name the user as they were called then, so a
 * renamed user's older rows stay under the old name; rows from before the
 * user was created belong to an earlier user of that name and are left out.
 * Uses events_user_ts_idx.
 */
export function findUserActivity(db: SesameDb, user: { name: string; createdAt: number }, limit = 20): EventView[] {
  return db.$client
    .prepare("SELECT id, ts, ip, door_name AS doorName, user_name AS userName, kind, stage, detail FROM events WHERE user_name = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT ?")
    .all(user.name, user.createdAt, limit) as EventView[];
}
