import "server-only";
import { openDb, type SesameDb } from "@sesame/db";
import { getEnv } from "@/env";

const globalForDb = globalThis as unknown as { sesameDb?: SesameDb };

/**
 * The web process's one connection to the shared database. Migrations are
 * applied by the migrate step before web and worker start; the web only
 * reads and writes rows.
 */
export function getDb(): SesameDb {
  if (globalForDb.sesameDb) return globalForDb.sesameDb;
  const { SESAME_DB } = getEnv();
  const db = openDb(SESAME_DB, { busyTimeoutMs: 5000 });
  try {
    db.$client.prepare("SELECT 1 FROM settings LIMIT 1").get();
  } catch (err) {
    db.$client.close();
    throw new Error(
      `database ${SESAME_DB} is not migrated (${(err as Error).message}); run "npm run migrate -- --db ${SESAME_DB}" first`,
    );
  }
  globalForDb.sesameDb = db;
  return db;
}
