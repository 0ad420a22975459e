import "server-only";
import { NOTIFYING_AUDIT_ACTIONS, NOTIFYING_EVENT_KINDS, notifyEventFromAuditRow, notifyEventFromEventRow, type HeartbeatLike, type NotifyEvent } from "@sesame/core";
import type { SesameDb } from "@sesame/db";

/** Rows read per source and tick; the rest is read on the next tick. */
export const BATCH_ROWS = 500;

export type Source = "events" | "audit";

/** max(id): the primary key's last entry, O(log n) however large the table. */
export function latestId(db: SesameDb, source: Source): number {
  const row = db.$client.prepare(`SELECT max(id) AS id FROM ${source === "events" ? "events" : "audit"}`).get() as { id: number | null };
  return row.id ?? 0;
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/**
 * The rows after `afterId` (up to `upTo`) that can become notifications.
 * A primary-key range, so each row is looked at once however many stage
 * events a flood writes. Returns the events and how far it has read.
 */
export function readNewEvents(db: SesameDb, afterId: number, upTo: number): { events: NotifyEvent[]; readTo: number } {
  const rows = db.$client
    .prepare(
      `SELECT id, ts, ip, door_name AS doorName, user_name AS userName, kind, detail FROM events
       WHERE id > ? AND id <= ? AND kind IN (${placeholders(NOTIFYING_EVENT_KINDS.length)}) ORDER BY id LIMIT ${BATCH_ROWS}`,
    )
    .all(afterId, upTo, ...NOTIFYING_EVENT_KINDS) as { id: number; ts: number; ip: string | null; doorName: string | null; userName: string | null; kind: string; detail: string | null }[];
  return {
    events: rows.map(notifyEventFromEventRow).filter((e): e is NotifyEvent => e !== null),
    readTo: rows.length === BATCH_ROWS ? rows[rows.length - 1]!.id : upTo,
  };
}

export function readNewAudit(db: SesameDb, afterId: number, upTo: number): { events: NotifyEvent[]; readTo: number } {
  const rows = db.$client
    .prepare(
      `SELECT id, ts, actor, action, entity, after FROM audit
       WHERE id > ? AND id <= ? AND action IN (${placeholders(NOTIFYING_AUDIT_ACTIONS.length)}) ORDER BY id LIMIT ${BATCH_ROWS}`,
    )
    .all(afterId, upTo, ...NOTIFYING_AUDIT_ACTIONS) as { id: number; ts: number; actor: string; action: string; entity: string; after: string | null }[];
  return {
    events: rows.map(notifyEventFromAuditRow).filter((e): e is NotifyEvent => e !== null),
    readTo: rows.length === BATCH_ROWS ? rows[rows.length - 1]!.id : upTo,
  };
}

export function readHeartbeat(db: SesameDb): HeartbeatLike | undefined {
  return db.$client
    .prepare("SELECT heartbeat_at AS heartbeatAt, last_error AS lastError, last_error_at AS lastErrorAt FROM worker_status WHERE id = 1")
    .get() as HeartbeatLike | undefined;
}
