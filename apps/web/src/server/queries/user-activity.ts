import "server-only";
import type { SesameDb } from "@sesame/db";
import type { EventView } from "@/lib/live-types";

/**
 * A user's latest events (opens, SPA and rotating-knock refusals, grant
 * ends), newest first. Events name the user as they were called then, so a
 * renamed user's older rows stay under the old name. Uses events_user_ts_idx.
 */
export function findUserActivity(db: SesameDb, userName: string, limit = 20): EventView[] {
  return db.$client
    .prepare("SELECT id, ts, ip, door_name AS doorName, user_name AS userName, kind, stage, detail FROM events WHERE user_name = ? ORDER BY ts DESC, id DESC LIMIT ?")
    .all(userName, limit) as EventView[];
}
