import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";

export type SesameDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Where the appliance keeps its database unless told otherwise (`--db` / `SESAME_DB`). */
export const DEFAULT_DB_PATH = "/var/lib/sesame/sesame.db";

/** The committed migrations (top-level drizzle/). */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../drizzle");

export interface OpenDbOptions {
  /** Apply pending migrations on open (the migrate step and tests do; web and worker expect them applied). */
  migrate?: boolean;
  readonly?: boolean;
  /** ms to wait on a locked database before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Page cache size in KiB (better-sqlite3's build defaults to 16000 per connection). */
  cacheKib?: number;
}

/**
 * Open the shared database with the pragmas both processes rely on: WAL (the
 * web reads while the worker writes), synchronous=NORMAL, foreign keys, and a
 * busy timeout so a writer waits for the other instead of failing.
 * `path` must be absolute (or ":memory:") so both processes agree on one file.
 */
export function openDb(path: string, options: OpenDbOptions = {}): SesameDb {
  if (path !== ":memory:" && !isAbsolute(path)) {
    throw new Error(`database path must be absolute, got "${path}"`);
  }
  if (path !== ":memory:" && !options.readonly) {
    const dir = dirname(path);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o750 });
  }
  const sqlite = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (options.cacheKib !== undefined) sqlite.pragma(`cache_size = -${Math.max(1, Math.floor(options.cacheKib))}`);
  if (!options.readonly) {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle({ client: sqlite, schema, casing: "snake_case" }) as SesameDb;
  if (options.migrate) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return db;
}

/** `PRAGMA data_version`: changes when another connection commits. Cheap to poll. */
export function dataVersion(db: SesameDb): number {
  return db.$client.pragma("data_version", { simple: true }) as number;
}
