import "server-only";
import type { SesameDb } from "@sesame/db";

/** At most this many new event rows are counted per scrape; a backlog is caught up over the next ones. */
const MAX_ROWS_PER_SCRAPE = 2_000_000;

const KIND_LABEL = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * Events by kind since this process started, for counters: each scrape
 * counts only the rows added since the last one (a range of the rowid; ids
 * only grow, AUTOINCREMENT), never the whole table. Counting from the start
 * means a restart resets the counters to zero, which Prometheus' rate()
 * expects of a counter.
 */
export class EventKindCounts {
  private lastId: number | null = null;
  private readonly counts = new Map<string, number>();

  /** Reads the new rows and returns the totals by kind (unknown-looking kinds as "other"). */
  update(db: SesameDb): ReadonlyMap<string, number> {
    const client = db.$client;
    const maxId = (client.prepare("SELECT max(id) AS m FROM events").get() as { m: number | null }).m ?? 0;
    if (this.lastId === null || maxId < this.lastId) {
      this.lastId = maxId;
      return this.counts;
    }
    const upper = Math.min(maxId, this.lastId + MAX_ROWS_PER_SCRAPE);
    if (upper > this.lastId) {
      const rows = client.prepare("SELECT kind, count(*) AS n FROM events WHERE id > ? AND id <= ? GROUP BY kind").all(this.lastId, upper) as { kind: string; n: number }[];
      for (const r of rows) {
        const kind = KIND_LABEL.test(r.kind) ? r.kind : "other";
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + r.n);
      }
      this.lastId = upper;
    }
    return this.counts;
  }
}
