import { rmSync } from "node:fs";
import { doors, eq, openDb, settings, workerStatus, type SesameDb } from "@sesame/db";
import { DOOR_NAME, PROTECTED_PORT, SEQUENCE } from "./testbed";

export interface SeedOptions {
  /** Native mode: the door lives in the DB with action "open". Drop-in: doors come from -c knockd.conf. */
  native: boolean;
  seqTimeoutSec: number;
  interfaces: string[];
  maxAttempts?: number;
}

/** A fresh, migrated worker database configured like the UI would leave it. */
export function seedWorkerDb(path: string, opts: SeedOptions): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  const db = openDb(path, { migrate: true });
  try {
    db.transaction((tx) => {
      if (opts.native) {
        tx.insert(doors)
          .values({
            name: DOOR_NAME,
            sequence: SEQUENCE.map((port) => ({ port, protocol: "tcp" as const })),
            seqTimeoutMs: opts.seqTimeoutSec * 1000,
            tcpFlags: { set: ["syn"], clear: [] },
            action: "open",
            openPorts: [{ port: PROTECTED_PORT, protocol: "tcp" }],
            durationSec: 3600,
          })
          .run();
      }
      const values: [string, unknown][] = [
        ["configVersion", 1],
        ["interfaces", opts.interfaces],
        ["backend", "nftables"],
      ];
      if (opts.maxAttempts !== undefined) values.push(["maxAttempts", opts.maxAttempts]);
      for (const [key, value] of values) tx.insert(settings).values({ key, value }).run();
    });
  } finally {
    db.$client.close();
  }
}

export interface BenchDb {
  db: SesameDb;
  close(): void;
}

/** A second, read-only connection for the bench to watch the worker (WAL: never blocks it). */
export function openBenchDb(path: string): BenchDb {
  let db: SesameDb | undefined;
  return {
    get db(): SesameDb {
      // opened lazily: the worker may still be creating its WAL files
      db ??= openDb(path, { readonly: true });
      return db;
    },
    close: () => db?.$client.close(),
  };
}

/** The worker's heartbeat stats (matcher counters), if it has written any. */
export function readWorkerStats(bdb: BenchDb): Record<string, number> | undefined {
  try {
    const row = bdb.db.select({ stats: workerStatus.stats }).from(workerStatus).where(eq(workerStatus.id, 1)).get();
    return row?.stats ?? undefined;
  } catch {
    return undefined;
  }
}
