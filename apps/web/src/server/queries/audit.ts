import "server-only";
import { audit, desc, lt, type SesameDb } from "@sesame/db";

/** One page of the audit log, newest first, and the id to page on from (keyset on the primary key). */
export function findAuditPage(db: SesameDb, beforeId: number | null, pageSize: number) {
  const rows = db
    .select()
    .from(audit)
    .where(beforeId ? lt(audit.id, beforeId) : undefined)
    .orderBy(desc(audit.id))
    .limit(pageSize + 1)
    .all();
  const page = rows.slice(0, pageSize);
  return { rows: page, olderThan: rows.length > pageSize ? page.at(-1)?.id : undefined };
}
