import type { RejectedRow } from "./db-rows";
import { formatRejected } from "./db-rows";
import type { WriteBehind } from "./write-behind";

/**
 * What the database holds that the worker cannot use (a malformed row, an
 * expiry past its cap, a refused network): said once per row and reason,
 * not on every reload.
 */

export interface RowWarningsOptions {
  log: { warn(msg: string): void; error(msg: string): void };
  writer: WriteBehind;
  now: () => number;
}

export class RowWarnings {
  private readonly warned = new Set<string>();

  constructor(private readonly o: RowWarningsOptions) {}

  once(key: string, msg: string, error = false): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (error) this.o.log.error(msg);
    else this.o.log.warn(msg);
  }

  /** The rows that passed validation; each skipped one is logged (and recorded) once per row. */
  validRows<T>(loaded: { rows: T[]; rejected: RejectedRow[] }): T[] {
    for (const r of loaded.rejected) {
      const key = `row:${r.table}:${String(r.id)}:${r.reason}`;
      if (this.warned.has(key)) continue;
      const msg = `database: ${formatRejected(r)}; row skipped (nothing of it reaches the firewall)`;
      this.once(key, msg, true);
      this.o.writer.event({ ts: this.o.now(), kind: "worker", detail: msg });
    }
    return loaded.rows;
  }

  /** An expiry past its cap was shortened (and is written back, so this is said once). */
  clamped(table: "grants" | "bans", r: { id: number; ip: string; doorName: string; expiresAt: number }, maxSec: number): void {
    this.once(`clamp:${table}:${r.id}`, `database: ${table} row ${r.id} (${r.ip}, ${r.doorName}): expiry is more than ${maxSec} s away; shortened to ${new Date(r.expiresAt).toISOString()}`);
  }
}
