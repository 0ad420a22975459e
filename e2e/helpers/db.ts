import { openDb, type SesameDb } from "@sesame/db";
import { DB_PATH } from "./env";

let db: SesameDb | undefined;

/** The e2e database, opened by the spec itself (to seed and to check what was saved). */
export function testDb(): SesameDb {
  db ??= openDb(DB_PATH, { busyTimeoutMs: 5000 });
  return db;
}

export function count(table: string, where = "1"): number {
  return (testDb().$client.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}

export function configVersion(): number {
  const row = testDb().$client.prepare("SELECT value FROM settings WHERE key = 'configVersion'").get() as { value: string } | undefined;
  return row ? Number(JSON.parse(row.value)) : 0;
}
