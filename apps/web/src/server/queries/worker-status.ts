import "server-only";
import { eq, workerStatus, type SesameDb } from "@sesame/db";
import type { ConfigState, WorkerHealth } from "@/lib/live-types";
import { readSetting } from "../settings";

export type { ConfigState, WorkerHealth };

/** A heartbeat older than this means the worker is not running (or stuck). */
export const WORKER_OFFLINE_AFTER_MS = 15_000;

export function getWorkerHealth(db: SesameDb, now = Date.now()): WorkerHealth {
  const row = db.select().from(workerStatus).where(eq(workerStatus.id, 1)).get();
  const configVersion = readSetting(db, "configVersion");
  if (!row) {
    return {
      state: "never-started", configVersion, appliedConfigVersion: null, heartbeatAgeMs: null, pid: null,
      startedAt: null, interfaces: [], backend: null, lastError: null, lastErrorAt: null, stats: null,
    };
  }
  const age = Math.max(0, now - row.heartbeatAt);
  const state: ConfigState =
    age > WORKER_OFFLINE_AFTER_MS ? "worker-offline" : row.appliedConfigVersion >= configVersion ? "applied" : "pending";
  return {
    state,
    configVersion,
    appliedConfigVersion: row.appliedConfigVersion,
    heartbeatAgeMs: age,
    pid: row.pid,
    startedAt: row.startedAt,
    interfaces: row.interfaces,
    backend: row.backend,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
    stats: row.stats ?? null,
  };
}

/** The two numbers behind "Config applied": what the UI saved and what the worker reports it has. */
export function readConfigVersions(db: SesameDb): { configVersion: number; appliedConfigVersion: number | null } {
  const row = db.select({ applied: workerStatus.appliedConfigVersion }).from(workerStatus).where(eq(workerStatus.id, 1)).get();
  return { configVersion: readSetting(db, "configVersion"), appliedConfigVersion: row?.applied ?? null };
}
