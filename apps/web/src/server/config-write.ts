import "server-only";
import { audit, type SesameDb } from "@sesame/db";
import { readSetting, writeSetting, type Tx } from "./settings";

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

export interface ChangeContext {
  tx: Tx;
  /** Record one audited change; written in the same transaction. */
  record(entry: AuditEntry): void;
}

/**
 * One admin change = one transaction: the rows, the audit entries and (for
 * configuration, not for revoke/extend/unban) the configVersion bump that
 * tells the worker to re-apply. Nothing is saved half-way: throw to roll back.
 * (better-sqlite3 transactions are synchronous: no await inside.)
 */
export function applyChange<T>(
  db: SesameDb,
  actor: string,
  opts: { bumpConfig: boolean },
  change: (ctx: ChangeContext) => T,
): { result: T; configVersion: number } {
  return db.transaction((tx) => {
    const entries: AuditEntry[] = [];
    const result = change({ tx, record: (e) => entries.push(e) });
    let configVersion = readSetting(tx, "configVersion");
    if (opts.bumpConfig) {
      configVersion += 1;
      writeSetting(tx, "configVersion", configVersion);
    }
    const now = Date.now();
    for (const e of entries) {
      tx.insert(audit)
        .values({
          ts: now,
          actor,
          action: e.action,
          entity: e.entity,
          entityId: e.entityId == null ? null : String(e.entityId),
          before: e.before ?? null,
          after: e.after ?? null,
        })
        .run();
    }
    return { result, configVersion };
  }, { behavior: "immediate" });
}
