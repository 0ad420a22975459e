import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSequence, type Step } from "@sesame/core";
import { doors, openDb, settings, trustedNetworks, type SesameDb } from "@sesame/db";
import { afterAll, beforeAll } from "vitest";
import { createTestNet, must, run, spawnIn, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";

/**
 * Shared pieces of the worker's namespace tests: a temp database seeded the
 * way the UI would, the real worker started inside the server namespace, and
 * real knocks / TCP connects from the client namespace.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, "../..");
export const WORKER_BIN = join(REPO, "apps/worker/bin/sesame-worker.js");
const KNOCK_FIXTURE = join(HERE, "fixtures/knock.ts");
const CONNECT_FIXTURE = join(HERE, "fixtures/connect-many.ts");

export function steps(text: string): Step[] {
  const r = parseSequence(text);
  if (!r.ok) throw new Error(`bad sequence ${text}: ${r.reason}`);
  return r.steps;
}

export interface TempDb {
  path: string;
  db: SesameDb;
  cleanup: () => void;
}

/** A fresh database file under the OS temp dir (absolute path), migrated. */
export function tempDb(tag: string): TempDb {
  const dir = mkdtempSync(join(tmpdir(), `sesame-${tag}-`));
  const path = join(dir, "sesame.db");
  const db = openDb(path, { migrate: true });
  return { path, db, cleanup: () => { db.$client.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export interface DoorSeed {
  name: string;
  sequence: string;
  action: "open" | "close" | "ban";
  openPorts?: string;
  durationSec?: number;
  seqTimeoutMs?: number;
  closeDoorName?: string;
  tcpFlags?: { set: ("syn" | "ack" | "fin" | "rst" | "psh" | "urg")[]; clear: ("syn" | "ack" | "fin" | "rst" | "psh" | "urg")[] };
}

/** Inserts a door row as the UI would; returns its id. */
export function addDoor(db: SesameDb, d: DoorSeed): number {
  const row = db
    .insert(doors)
    .values({
      name: d.name,
      sequence: steps(d.sequence),
      action: d.action,
      openPorts: d.openPorts ? steps(d.openPorts) : null,
      durationSec: d.durationSec ?? 300,
      seqTimeoutMs: d.seqTimeoutMs ?? 10_000,
      closeDoorName: d.closeDoorName ?? null,
      tcpFlags: d.tcpFlags ?? { set: [], clear: [] },
    })
    .returning({ id: doors.id })
    .get();
  return row.id;
}

/** Writes one settings row the way the UI does (insert or replace). */
export function setSetting(db: SesameDb, key: string, value: unknown): void {
  db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
}

export function addTrusted(db: SesameDb, cidr: string): void {
  db.insert(trustedNetworks).values({ cidr, comment: "test" }).run();
}

export interface WorkerHandle {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (already seen or future) matching `re`; rejects after timeoutMs. */
  waitForLine(re: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  /** Lines matching `re` so far. */
  grep(re: RegExp): string[];
  stop(): Promise<void>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts the real worker in `ns` and waits for the `ready` lines (default: firewall ready, listening on veth-s). */
export async function startWorker(
  ns: string,
  dbPath: string,
  args: string[] = ["-i", "veth-s"],
  ready: RegExp[] = [/firewall: \w+ ready/, /^listening on veth-s/],
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkerHandle> {
  const child = spawnIn(ns, ["node", WORKER_BIN, "--db", dbPath, "-v", "-D", ...args], env);
  const lines: string[] = [];
  const waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  const onData = (d: Buffer): void => {
    for (const l of d.toString().split("\n")) {
      if (l === "") continue;
      lines.push(l);
      if (process.env.SESAME_TEST_VERBOSE) process.stdout.write(`[worker] ${l}\n`);
      for (const w of [...waiters]) {
        if (w.re.test(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const handle: WorkerHandle = {
    child,
    lines,
    exited,
    grep: (re) => lines.filter((l) => re.test(l)),
    waitForLine: (re, timeoutMs = 5000, from = 0) => {
      const seen = lines.slice(from).find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveLine, reject) => {
        const w = { re, from, resolve: (l: string) => { clearTimeout(t); resolveLine(l); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`worker did not log ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join("\n")}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    stop: () => stopProcess(child, 5000),
    kill: () => stopProcess(child, 0, "SIGKILL"),
  };
  if (ready.length > 0) {
    try {
      for (const re of ready) await handle.waitForLine(re, 15_000);
    } catch (e) {
      await stopProcess(child, 1000);
      throw e;
    }
  }
  return handle;
}

export interface KnockSpec {
  host: string;
  steps: Step[];
  localAddress?: string;
  family?: 4 | 6;
  delayMs?: number;
  pauseMs?: number;
}

/** Knocks from `ns` with the Sesame knock library; lanes run concurrently, each lane in order. */
export async function knockLanes(ns: string, lanes: KnockSpec[][]): Promise<void> {
  await must(["node", "--import", "tsx", KNOCK_FIXTURE, JSON.stringify(lanes)], { ns, timeoutMs: 60_000 });
}

export async function knock(ns: string, spec: KnockSpec): Promise<void> {
  await knockLanes(ns, [[spec]]);
}

/** Many real TCP connects from `ns` in one process; one boolean per target. */
export async function connectMany(ns: string, targets: { host: string; port: number; localAddress?: string }[], timeoutMs = 1500): Promise<boolean[]> {
  const out = await must(["node", "--import", "tsx", CONNECT_FIXTURE, JSON.stringify(targets), String(timeoutMs)], { ns, timeoutMs: timeoutMs + 30_000 });
  return JSON.parse(out) as boolean[];
}

/** Elements of one nft set of the worker's table inside `ns` (raw text lines). */
export async function nftSet(ns: string, set: string): Promise<string> {
  const r = await run(["nft", "list", "set", "inet", "sesame", set], { ns });
  return r.stdout;
}

/** `ip` with its dots escaped, for building a RegExp that matches the worker's log lines. */
export function escapeIp(ip: string): string {
  return ip.replace(/\./g, "\\.");
}

export interface WorkerRigOptions {
  /** Namespace tag; also names the temp database's directory. */
  tag: string;
  extraClientIps?: number;
  /** Doors seeded before the worker starts. */
  doors?: DoorSeed[];
  /** Trusted networks to seed; a function because the addresses exist only once the net does. */
  trusted?: (net: TestNet) => string[];
  /** Ports of an echo service in the server namespace (none: no service). */
  servicePorts?: number[];
  /** Start the worker (default arguments) in beforeAll; false leaves it to the tests. Default true. */
  start?: boolean;
}

/** One describe block's namespaces, database, echo service and worker, set up in beforeAll and torn down in afterAll. */
export interface WorkerRig {
  readonly net: TestNet;
  readonly db: TempDb;
  /** The running worker, stopped in afterAll; a test that kills it sets this to undefined. */
  worker: WorkerHandle | undefined;
  /** The i-th extra client address. */
  ip(i: number): string;
  /** A real TCP handshake from the client namespace (800 ms timeout) from source address `from`. */
  connects(port: number, from: string, host?: string): Promise<boolean>;
  /** Knocks `sequence` ("7000,8000:udp") from the client namespace, from source address `from` when given, at the server (or `host`). */
  knock(sequence: string, from?: string, host?: string): Promise<void>;
  /** Starts the worker (see startWorker) and records it as `worker`. */
  start(args?: string[], ready?: RegExp[], env?: NodeJS.ProcessEnv): Promise<WorkerHandle>;
}

/** Registers beforeAll/afterAll hooks in the current describe block and returns the rig they fill in. */
export function useWorkerRig(opts: WorkerRigOptions): WorkerRig {
  let net: TestNet | undefined;
  let db: TempDb | undefined;
  let service: ChildProcess | undefined;
  const rig: WorkerRig = {
    get net(): TestNet {
      if (!net) throw new Error("worker rig used before its beforeAll ran");
      return net;
    },
    get db(): TempDb {
      if (!db) throw new Error("worker rig used before its beforeAll ran");
      return db;
    },
    worker: undefined,
    ip: (i) => rig.net.clientExtraIps[i] as string,
    connects: (port, from, host = rig.net.serverIp) => tcpConnects(rig.net.client, host, port, { timeoutMs: 800, localAddress: from }),
    knock: (sequence, from, host = rig.net.serverIp) => knock(rig.net.client, { host, steps: steps(sequence), localAddress: from }),
    start: async (args, ready, env) => (rig.worker = await startWorker(rig.net.server, rig.db.path, args, ready, env)),
  };
  beforeAll(async () => {
    net = await createTestNet({ extraClientIps: opts.extraClientIps, tag: opts.tag });
    db = tempDb(opts.tag);
    for (const d of opts.doors ?? []) addDoor(db.db, d);
    for (const cidr of opts.trusted?.(net) ?? []) addTrusted(db.db, cidr);
    if (opts.servicePorts) service = await startEchoService(net.server, opts.servicePorts);
    if (opts.start ?? true) await rig.start();
  }, 60_000);
  afterAll(async () => {
    if (rig.worker) await rig.worker.stop();
    if (service) await stopProcess(service);
    await net?.destroy();
    db?.cleanup();
  });
  return rig;
}

export { waitFor };
