import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { SpaKeyPair } from "@sesame/core/spa";
import { openDb } from "@sesame/db";
import { DAEMON_LABELS, type Daemon, type DaemonKind } from "./lib/daemons";
import { runFlood } from "./lib/flood";
import { runKnockers } from "./lib/knocker";
import { waitCpuQuiet } from "./lib/proc";
import { waitForQuietMachine } from "./lib/quiet";
import type { Row } from "./lib/report";
import type { BenchContext } from "./lib/session";
import { SPA_PORT, withSpaDaemon, writeSpaPackets } from "./lib/spa-daemons";
import { summarize } from "./lib/stats";
import type { Bed } from "./lib/testbed";
import { REPO_ROOT } from "./lib/tools";
import type { ReplayLevel } from "./spa-replay-cache";

const LEVELS = [1000, 1_000_000] as const;
const JUNK = { pps: 50, count: 200 };

interface DaemonLevel {
  entries: number;
  readySeconds: number;
  rssMb?: number;
  hwmMb?: number;
  idleCpuMsPerSec: number;
  junkSent: number;
  junkProcessed: number;
  /** Daemon CPU per junk datagram processed, its idle rate taken off; undefined when that left nothing (below the idle noise). */
  junkCpuUs?: number;
  junkBelowNoise: boolean;
  openMedianMs?: number;
  opened: number;
  knocks: number;
}

const b64 = (n: number) => randomBytes(n).toString("base64").replace(/=+$/, "");

/** fwknopd's digest file (`<digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>`), `n` lines. */
function fillDigestFile(path: string, n: number): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, "# <digest> <proto> <src_ip> <src_port> <dst_ip> <dst_port> <time>\n");
    const t = Math.floor(Date.now() / 1000);
    for (let i = 0; i < n; i += 10_000) {
      let chunk = "";
      for (let j = i; j < Math.min(n, i + 10_000); j++) chunk += `${b64(32)} 17 100.64.${(j >> 8) & 255}.${j & 255} ${40000 + (j % 20000)} 10.0.0.1 ${SPA_PORT} ${t}\n`;
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

/** The worker's replay_cache table with `n` digests inside their window (what a restart loads). */
function fillReplayTable(path: string, n: number): void {
  const db = openDb(path);
  try {
    const ins = db.$client.prepare("INSERT INTO replay_cache (key, seen_at, expires_at) VALUES (?, ?, ?)");
    const now = Date.now();
    db.$client.transaction(() => {
      for (let i = 0; i < n; i++) ins.run(`spa:${b64(32)}`, now, now + 3_600_000);
    })();
  } finally {
    db.$client.close();
  }
}

const processed = (d: Daemon): number => (d.workerStats() ? (d.workerStats()?.spaPackets ?? 0) : d.attempts());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function daemonLevel(ctx: BenchContext, d: Daemon, bed: Bed, keys: SpaKeyPair, payload: number, entries: number, readyMs: number): Promise<DaemonLevel> {
  await waitCpuQuiet(d.pid, 500, 60_000);
  const rssMb = d.rssMb();
  const hwmMb = d.peakRssMb();
  // idle rate first (the worker prunes its cache every second; fwknopd sleeps in its pcap loop)
  const i0 = d.preciseCpuSeconds() ?? 0;
  const it0 = Date.now();
  await sleep(3000);
  const idleRate = ((d.preciseCpuSeconds() ?? i0) - i0) / ((Date.now() - it0) / 1000);
  const heartbeat = d.workerStats() !== undefined;
  const seen0 = processed(d);
  const c0 = d.preciseCpuSeconds() ?? 0;
  const t0 = Date.now();
  const junk = await runFlood(bed, ctx.tools, { pps: JUNK.pps, seconds: JUNK.count / JUNK.pps + 2, count: JUNK.count, port: SPA_PORT, udpPayload: payload });
  await waitCpuQuiet(d.pid, 500, 60_000);
  const cpu = (d.preciseCpuSeconds() ?? c0) - c0 - idleRate * ((Date.now() - t0) / 1000);
  if (heartbeat) await sleep(1200);
  const seen = processed(d) - seen0;
  const file = join(bed.dir, "replay.spa");
  writeSpaPackets(file, keys, bed.legit);
  const results = await runKnockers(bed, ctx.tools, { sources: bed.legit, gapMs: 400, timeoutMs: 3000, intervalUs: 200, spa: { file, port: SPA_PORT } });
  const ok = results.filter((r) => r.ok);
  return {
    entries, readySeconds: readyMs / 1000, rssMb, hwmMb, idleCpuMsPerSec: idleRate * 1000, junkSent: junk.sent, junkProcessed: seen,
    junkCpuUs: seen > 0 && cpu > 0 ? (1e6 * cpu) / seen : undefined,
    junkBelowNoise: seen > 0 && cpu <= 0,
    openMedianMs: summarize(ok.map((r) => r.latencyMs!))?.median, opened: ok.length, knocks: results.length,
  };
}

/**
 * Section 7 (c) — the replay cache at 1k and 1M digests. In-process (the
 * worker's ReplayCache + SQLite through WriteBehind, a child node with
 * --expose-gc): memory, ns per check, prune pass, restart load. Daemons
 * (Sesame's worker, fwknopd) started on a pre-filled store (replay_cache
 * rows / DIGEST_FILE lines): RSS, start time, CPU per junk datagram and a
 * legitimate open. fwknopd 2.6.10 looks every datagram's digest up in a
 * linked list before the HMAC, so its per-check cost is the junk CPU at 1M
 * minus that at 1k; the worker checks only authenticated packets.
 */
export async function measureSpaReplay(ctx: BenchContext, keys: SpaKeyPair, payload: number): Promise<{ rows: Row[]; notes: string[]; raw: unknown }> {
  await waitForQuietMachine("replay cache (in-process)", ctx.log);
  ctx.log(`spa replay: in-process cache at ${LEVELS.join(", ")} digests`);
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", join(REPO_ROOT, "bench/spa-replay-cache.ts"), "--json", "--levels", LEVELS.join(",")], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 1 << 20, timeout: 600_000 });
  const inproc = JSON.parse(out.trim().split("\n").pop()!) as ReplayLevel[];
  const kinds = ctx.daemons.filter((k) => k === "sesame" || k === "fwknopd");
  const daemons: Partial<Record<DaemonKind, DaemonLevel[]>> = {};
  for (const kind of kinds) {
    daemons[kind] = [];
    for (const entries of LEVELS) {
      ctx.log(`spa replay: ${DAEMON_LABELS[kind]} started on ${entries} digests`);
      const prep = kind === "fwknopd" ? { prepareDigestFile: (p: string) => fillDigestFile(p, entries) } : { prepareDb: (p: string) => fillReplayTable(p, entries) };
      const r = await withSpaDaemon(ctx, kind, ctx.quick ? 3 : 5, keys, prep, (d, bed, readyMs) => daemonLevel(ctx, d, bed, keys, payload, entries, readyMs), 180_000);
      ctx.log(`  ready in ${r.readySeconds.toFixed(1)} s, RSS ${r.rssMb?.toFixed(1)} MB, ${r.junkCpuUs?.toFixed(0)} µs CPU per junk datagram (${r.junkProcessed}/${r.junkSent}), open ${r.openMedianMs?.toFixed(1)} ms`);
      daemons[kind].push(r);
    }
  }
  const rows: Row[] = [];
  LEVELS.forEach((entries, i) => {
    const section = `7 spa replay ${entries >= 1e6 ? `${entries / 1e6}M` : `${entries / 1000}k`}`;
    const ip = inproc[i]!;
    const only = (v: number) => ({ sesame: v });
    const dv = (f: (r: DaemonLevel) => number | undefined): Partial<Record<DaemonKind, number | null>> => Object.fromEntries(kinds.map((k) => [k, daemons[k]?.[i] ? (f(daemons[k]![i]!) ?? null) : undefined]));
    rows.push(
      { section, metric: "in-process: cache heap MB", values: only(ip.heapMb), digits: 1 },
      { section, metric: "in-process: check ns median (hit/miss)", values: only((ip.hitNs.median + ip.missNs.median) / 2), digits: 0 },
      { section, metric: "in-process: check ns p99 (worse of hit/miss)", values: only(Math.max(ip.hitNs.p99, ip.missNs.p99)), digits: 0 },
      { section, metric: "in-process: SHA-256 + check µs", values: only(ip.digestAndCheckUs), digits: 2 },
      { section, metric: "in-process: prune pass ms (1/s)", values: only(ip.pruneMs), digits: 2 },
      { section, metric: "in-process: restart load s", values: only(ip.loadSeconds), digits: 2 },
      { section, metric: "daemon: start → first open s", values: dv((r) => r.readySeconds), digits: 1 },
      { section, metric: "daemon: RSS MB once idle", values: dv((r) => r.rssMb), digits: 1 },
      { section, metric: "daemon: peak RSS MB (VmHWM)", values: dv((r) => r.hwmMb), digits: 1 },
      { section, metric: "daemon: idle CPU ms/s", values: dv((r) => r.idleCpuMsPerSec), digits: 1 },
      { section, metric: `daemon: junk datagrams processed (of ${JUNK.count})`, values: dv((r) => r.junkProcessed), digits: 0 },
      { section, metric: "daemon: CPU µs per junk datagram processed", values: dv((r) => r.junkCpuUs), digits: 1 },
      { section, metric: "daemon: SPA open median ms (client)", values: dv((r) => r.openMedianMs) },
    );
  });
  const at = (k: DaemonKind, i: number) => daemons[k]?.[i];
  const diff = (k: DaemonKind, f: (r: DaemonLevel) => number | undefined, zeroBelowNoise = false): number | null | undefined => {
    if (!daemons[k]) return undefined;
    const a = at(k, 0) ? (f(at(k, 0)!) ?? (zeroBelowNoise && at(k, 0)!.junkBelowNoise ? 0 : undefined)) : undefined;
    const b = at(k, 1) ? f(at(k, 1)!) : undefined;
    return a === undefined || b === undefined ? null : b - a;
  };
  rows.push(
    { section: "7 spa replay 1k→1M", metric: "daemon: RSS growth MB", values: Object.fromEntries(kinds.map((k) => [k, diff(k, (r) => r.rssMb)])), digits: 1 },
    { section: "7 spa replay 1k→1M", metric: "daemon: CPU per junk datagram, growth µs", values: Object.fromEntries(kinds.map((k) => [k, diff(k, (r) => r.junkCpuUs, true)])), digits: 1 },
  );
  const rss1M = daemons.sesame?.[1]?.rssMb;
  const hwm1M = daemons.sesame?.[1]?.hwmMb;
  return {
    rows,
    raw: { inProcess: inproc, daemons },
    notes: [
      "spa replay: in-process = apps/worker/src/spa-replay.ts with a real WriteBehind on a temp SQLite file (node --expose-gc child, full GC around each figure); heap = what the cache itself holds (its 128-bit digests, set and expiry heap; the keys it is given exist before it, as the verifier's are); check = has() over batches of 1000 (hits and misses), SHA-256 + check = what an authenticated datagram costs on top of its HMAC; prune runs every second in the worker and pops what expired off its min-heap.",
      `spa replay: daemons start on a pre-filled store (the worker's replay_cache rows, valid 1 h; fwknopd's DIGEST_FILE lines), then ${JUNK.count} junk datagrams at ${JUNK.pps} pps (CPU from schedstat, the daemon's idle rate taken off) and ${ctx.quick ? 3 : 5} legitimate packets. fwknopd 2.6.10 (file cache, no gdbm in Debian's build) checks each datagram's digest against a linked list with a constant-time compare before the HMAC, so its 1k→1M growth of CPU per junk datagram is its lookup time per check, paid by every junk datagram; the worker hashes and checks only packets whose HMAC verified (junk never reaches the cache), so its lookup is the in-process figure and its junk CPU growth is the rest of the daemon at that heap (GC, the 1/s prune pass: see its idle CPU), not a lookup. A per-datagram figure shown n/a was below the idle-CPU noise of its interval (idle rate taken off left nothing); in the growth row it counts as 0, so that growth is an upper bound. At 50 pps every datagram is its own wake-up, so these per-datagram figures are far above the flood rows'. sesame-fwknopd uses the worker's cache (not run here); with ENABLE_SPA_PACKET_AGING N it keeps digests 30 days, the case where a cache of this size can build up.`,
      `spa replay: no target (the issue sets none for the cache; the 200 MB cap is the flood rows').${rss1M !== undefined ? ` The worker's RSS at 1M digests: ${rss1M.toFixed(0)} MB once idle, ${hwm1M?.toFixed(0) ?? "?"} MB peak (VmHWM, includes the start-up load), ${rss1M > 200 ? "above" : "within"} that cap.` : ""}`,
    ],
  };
}
