/**
 * Apply the committed drizzle migrations to the database, before web and
 * worker start. Usage: tsx scripts/migrate.ts [--db PATH] (or SESAME_DB).
 */
import { DEFAULT_DB_PATH, openDb } from "@sesame/db";

const i = process.argv.indexOf("--db");
const path = (i > 0 ? process.argv[i + 1] : undefined) ?? process.env.SESAME_DB ?? DEFAULT_DB_PATH;
const db = openDb(path, { migrate: true });
db.$client.close();
console.log(`migrated ${path}`);
