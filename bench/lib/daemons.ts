import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stopProcess } from "@sesame/testkit";
import { onCleanup } from "./cleanup";
import { LineCounter } from "./line-counter";
import { readPreciseCpuSeconds, readStatusKb, readTreeCpuSeconds } from "./proc";
import { openBenchDb, readWorkerStats, seedWorkerDb, type BenchDb } from "./worker-db";
import type { Bed } from "./testbed";
import { baseRoot, REPO_ROOT } from "./tools";

/**
 * - knockd: Debian's knockd 0.8, start_command adds an nft set element.
 * - sesame: the worker in native mode (door in the DB, action open → its nftables set).
 * - sesame-dropin: the worker on the same knockd.conf, running the same start_command.
 * - sesame-base: the worker of an earlier commit (`--base COMMIT`), native mode like
 *   `sesame`, built from that commit's tree (tools.ts prepareBase): the "before" column.
 * - sesame-fwknopd, fwknopd: the SPA section's (spa-daemons.ts): Sesame's fwknopd drop-in
 *   and Debian's fwknopd 2.6.10 on the same fwknopd.conf + access.conf.
 */
export type DaemonKind = "sesame" | "sesame-base" | "sesame-dropin" | "knockd" | "sesame-fwknopd" | "fwknopd";
export const DAEMON_LABELS: Record<DaemonKind, string> = {
  sesame: "Sesame",
  "sesame-base": "Sesame before",
  "sesame-dropin": "Sesame drop-in",
  knockd: "knockd",
  "sesame-fwknopd": "sesame-fwknopd",
  fwknopd: "fwknopd",
};

/** Door in the database, action open (no knockd.conf, no start_command). */
export function isNative(kind: DaemonKind): boolean {
  return kind === "sesame" || kind === "sesame-base";
}

export interface DaemonOptions {
  maxAttempts?: number;
  /** Worker `-D`: adds one debug line per open with its own timing breakdown (nothing per packet). */
  debug?: boolean;
  /** Write a V8 CPU profile (worker only) into this directory on exit. */
  cpuProfDir?: string;
  /** Extra node flags for the worker (e.g. --trace-gc when investigating memory). */
  nodeFlags?: string[];
}

export interface Daemon {
  kind: DaemonKind;
  pid: number;
  child: ChildProcess;
  /** Files holding knockd-format log lines (stdout, LogFile). */
  logFiles: string[];
  /** CPU seconds of the daemon and its children so far (/proc/PID/stat, 10 ms ticks). */
  cpuSeconds(): number | undefined;
  /** Same, with ns-resolution thread run times (/proc/PID/task/TID/schedstat) for short intervals. */
  preciseCpuSeconds(): number | undefined;
  rssMb(): number | undefined;
  /** VmHWM: peak resident set since start. */
  peakRssMb(): number | undefined;
  /** Occurrences of `needle` (e.g. ": Stage 1") in the daemon's log lines: the progress counter both daemons share. */
  countLog(needle: string): number;
  /** Pending attempts as the worker reports them (undefined for knockd). */
  pending(): number | undefined;
  /** The worker's heartbeat counters (packets, pending, captureDropped, eventsWritten, …); undefined for knockd. */
  workerStats(): Record<string, number> | undefined;
  /**
   * Attempts started so far: knockd's "Stage 1" lines; the worker's pending
   * count (it logs at most 500 stage-1 lines/s, so lines undercount a flood).
   * Only meaningful with a seq_timeout longer than the run.
   */
  attempts(): number;
  /** Full text of the daemon's stdout/stderr file. */
  output(): string;
  /** Last lines of output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export function spawnLogged(ns: string, argv: string[], outPath: string): ChildProcess {
  const fd = openSync(outPath, "a");
  try {
    // stdout straight to a file: no pipe to fill and stall the daemon, no bench CPU spent reading it
    return spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", fd, fd], cwd: REPO_ROOT });
  } finally {
    closeSync(fd);
  }
}

export function workerArgv(bed: Bed, dbPath: string, kind: DaemonKind, opts: DaemonOptions): string[] {
  const flags: string[] = [];
  if (opts.cpuProfDir) flags.push("--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`);
  if (opts.nodeFlags) flags.push(...opts.nodeFlags);
  // What start.sh and systemd run: the bundle (scripts/build-worker.sh, built by run.ts) with the
  // worker's V8 settings, through scripts/worker.sh; not the tsx dev loader.
  const root = kind === "sesame-base" ? baseRoot() : REPO_ROOT;
  const argv = ["env", `SESAME_NODE=${process.execPath}`, `SESAME_NODE_FLAGS=${flags.join(" ")}`, join(root, "scripts/worker.sh"), "--db", dbPath, "-i", bed.net.serverIf];
  if (kind === "sesame-dropin") argv.push("-c", bed.knockdConfPath);
  if (opts.maxAttempts !== undefined) argv.push("--max-attempts", String(opts.maxAttempts));
  if (opts.debug) argv.push("-D");
  // the default heartbeat: its idle cost is part of what is measured
  argv.push("--heartbeat-ms", "1000");
  return argv;
}

/** Start one daemon inside the bed's server namespace. Readiness is checked by the caller (a warm-up knock). */
export async function startDaemon(kind: DaemonKind, bed: Bed, opts: DaemonOptions = {}): Promise<Daemon> {
  const outPath = join(bed.dir, `${kind}.out`);
  let db: BenchDb | undefined;
  let child: ChildProcess;
  if (kind === "knockd") {
    child = spawnLogged(bed.net.server, ["knockd", "-c", bed.knockdConfPath, "-i", bed.net.serverIf], outPath);
  } else {
    const dbPath = join(bed.dir, "sesame.db");
    seedWorkerDb(dbPath, { native: isNative(kind), seqTimeoutSec: bed.seqTimeoutSec, interfaces: [bed.net.serverIf], maxAttempts: opts.maxAttempts });
    child = spawnLogged(bed.net.server, workerArgv(bed, dbPath, kind, opts), outPath);
    db = openBenchDb(dbPath);
  }
  const logFiles = [outPath, ...(isNative(kind) ? [] : [join(bed.dir, "knockd.log")])];
  return daemonHandle(kind, child, outPath, logFiles, db, ": Stage 1");
}

/**
 * The bench's handle on a daemon it spawned (registered for cleanup):
 * CPU, RSS, log counters, the worker's heartbeat stats when `db` is given.
 * `attemptsNeedle`: the log line attempts() counts when there is no heartbeat.
 */
export function daemonHandle(kind: DaemonKind, child: ChildProcess, outPath: string, logFiles: string[], db: BenchDb | undefined, attemptsNeedle: string): Daemon {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${kind} did not start`);
  const unregister = onCleanup(`${kind} pid ${pid}`, () => stopProcess(child, 5000));
  const counters = new Map<string, LineCounter[]>();
  const stage1 = new Map<string, LineCounter>(logFiles.map((f) => [f, new LineCounter(f, attemptsNeedle)]));
  const countIn = (f: string): number => stage1.get(f)!.read();
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    kind,
    pid,
    child,
    logFiles,
    cpuSeconds: () => readTreeCpuSeconds(pid),
    preciseCpuSeconds: () => readPreciseCpuSeconds(pid),
    rssMb: () => {
      const kb = readStatusKb(pid, "VmRSS");
      return kb === undefined ? undefined : kb / 1024;
    },
    peakRssMb: () => {
      const kb = readStatusKb(pid, "VmHWM");
      return kb === undefined ? undefined : kb / 1024;
    },
    // the worker may echo lines to both stdout and LogFile: take the larger count, never the sum
    countLog: (needle) => {
      let cs = counters.get(needle);
      if (!cs) counters.set(needle, (cs = logFiles.map((f) => new LineCounter(f, needle))));
      return Math.max(...cs.map((c) => c.read()));
    },
    pending: () => (db ? readWorkerStats(db)?.pending : undefined),
    workerStats: () => (db ? readWorkerStats(db) : undefined),
    attempts: () => (db ? (readWorkerStats(db)?.pending ?? 0) : Math.max(...logFiles.map((f) => countIn(f)))),
    output: () => {
      try {
        return readFileSync(outPath, "utf8");
      } catch {
        return "";
      }
    },
    tail: () => {
      const parts = logFiles.map((f) => {
        try {
          return `${f}:\n${readFileSync(f, "utf8").split("\n").slice(-15).join("\n")}`;
        } catch {
          return `${f}: (none)`;
        }
      });
      return (exited ? `(exited ${child.exitCode ?? child.signalCode})\n` : "") + parts.join("\n");
    },
    stop: async () => {
      await unregister();
      db?.close();
    },
  };
}
