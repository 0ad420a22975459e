import { doorToRow, knockdDoorToDoor } from "@sesame/core";
import { doors, eq, type SesameDb } from "@sesame/db";
import { loadKnockdConf, type ImportLog, type KnockdConfHolder, type LoadedKnockdConf } from "./knockd-conf-file";

/**
 * Copies the doors of a loaded knockd.conf into the database (source
 * "knockd-conf"), where the worker and the UI read every door from: at start
 * and again on SIGHUP.
 */

export interface ImportResult {
  inserted: number;
  updated: number;
  removed: number;
  skipped: number;
}

/**
 * Upserts the file's doors by name and removes knockd-conf doors no longer in
 * it, in one transaction. A UI door with the same name is left alone (and
 * reported). The UI's own switches on imported doors (enabled, cooldown,
 * duplicate tolerance) survive a re-import.
 */
export function importKnockdDoors(db: SesameDb, loaded: LoadedKnockdConf, now: number, log: ImportLog): ImportResult {
  const result: ImportResult = { inserted: 0, updated: 0, removed: 0, skipped: 0 };
  db.$client
    .transaction(() => {
      const existing = new Map(db.select().from(doors).all().map((r) => [r.name, r]));
      const names = new Set<string>();
      for (const kd of loaded.config.doors) {
        names.add(kd.name);
        const ot = loaded.oneTime.get(kd.name);
        const door = knockdDoorToDoor(kd, ot ? ot.unused.map((s) => s.steps) : undefined);
        const row = doorToRow(door, "knockd-conf");
        const prev = existing.get(kd.name);
        if (prev && prev.source !== "knockd-conf") {
          log.error(`[${kd.name}] not imported: a door with that name was created in the web UI`);
          result.skipped++;
          continue;
        }
        if (prev) {
          const { enabled: _e, cooldownMs: _c, tolerateDuplicates: _t, ...fromFile } = row;
          db.update(doors).set({ ...fromFile, updatedAt: now }).where(eq(doors.id, prev.id)).run();
          result.updated++;
        } else {
          db.insert(doors).values({ ...row, createdAt: now, updatedAt: now }).run();
          result.inserted++;
        }
      }
      for (const [name, r] of existing) {
        if (r.source === "knockd-conf" && !names.has(name)) {
          db.delete(doors).where(eq(doors.id, r.id)).run();
          result.removed++;
        }
      }
    })
    .immediate();
  return result;
}

/**
 * SIGHUP: re-reads the knockd.conf and imports its doors again; a file that
 * no longer parses keeps the previous configuration.
 */
export function reimportKnockdConf(
  path: string,
  holder: KnockdConfHolder,
  db: SesameDb,
  now: number,
  log: ImportLog & { setSyslog(on: boolean): void },
): void {
  const r = loadKnockdConf(path, log);
  if (!r.ok) {
    for (const m of r.messages) log.error(m);
    log.error(`keeping the previous configuration from ${path}`);
    return;
  }
  holder.replace(r.loaded);
  log.setSyslog(r.loaded.config.options.useSyslog);
  // A rare admin action: worth waiting (bounded) for a busy database rather than failing.
  const busy = db.$client.pragma("busy_timeout", { simple: true }) as number;
  db.$client.pragma("busy_timeout = 2000");
  try {
    const res = importKnockdDoors(db, r.loaded, now, log);
    log.log(`config: ${path}: ${res.inserted} new, ${res.updated} updated, ${res.removed} removed doors`);
  } catch (e) {
    log.error(`config: import into the database failed: ${(e as Error).message}`);
  } finally {
    db.$client.pragma(`busy_timeout = ${busy}`);
  }
}
