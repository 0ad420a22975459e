export * as schema from "./schema";
export * from "./schema";
export { openDb, dataVersion, DEFAULT_DB_PATH, MIGRATIONS_DIR, type SesameDb, type OpenDbOptions } from "./client";
export { eq, and, or, not, gt, gte, lt, lte, isNull, isNotNull, desc, asc, sql, inArray, like, getTableColumns } from "drizzle-orm";
export { SqliteError } from "better-sqlite3";
