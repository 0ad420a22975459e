/**
 * The worker's SPA replay cache in-process (apps/worker/src/spa-replay.ts with
 * its SQLite persistence through the real WriteBehind): at each level (1k, 1M
 * digests) the memory it holds, the time per check, a prune pass (it runs
 * every second) and what a restart costs (load() from replay_cache).
 * Run by the spa section as a child (`--json`, with --expose-gc, so the heap
 * figures are this cache's alone), or on its own:
 *   node --expose-gc --import tsx bench/spa-replay-cache.ts [--levels 1000,1000000]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spaReplayKey } from "@sesame/core/spa";
import { openDb } from "@sesame/db";
import { ReplayCache } from "../apps/worker/src/spa-replay";
import { WORKER_DB_CACHE_KIB, WriteBehind } from "../apps/worker/src/write-behind";

export interface ReplayLevel {
  entries: number;
  /** Heap and RSS growth after filling (full GC before and after). */
  heapMb: number;
  rssMb: number;
  /** ns per has(): a digest that is in the cache / one that is not (median and p99 over batches of 1000). */
  hitNs: { median: number; p99: number };
  missNs: { median: number; p99: number };
  /** µs per check as the verifier does it for an authenticated datagram: SHA-256 of ~200 characters + has(). */
  digestAndCheckUs: number;
  /** ms for one prune pass with nothing to drop (the worker runs one a second). */
  pruneMs: number;
  /** Writing the digests through the WriteBehind (its 500-op transactions), s; the table's size on disk, MB. */
  persistSeconds: number;
  dbFileMb: number;
  /** A restart: load() of the whole table, s, and the heap it takes. */
  loadSeconds: number;
  loadHeapMb: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mem = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 };
};

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** ns per call of fn(i), per batch of 1000 calls; median and p99 over `batches`. */
function perCheck(fn: (i: number) => unknown, batches: number): { median: number; p99: number } {
  for (let i = 0; i < 20_000; i++) fn(i);
  const per: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) if (fn(b * 1000 + i)) sink++;
    per.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  if (sink < 0) console.log(sink);
  per.sort((a, b) => a - b);
  return { median: pct(per, 50), p99: pct(per, 99) };
}

function drain(writer: WriteBehind): void {
  for (let i = 0; i < 100_000 && writer.pending > 0; i++) writer.flush();
}

export function measureLevel(entries: number): ReplayLevel {
  const dir = mkdtempSync(join(tmpdir(), "sesame-replay-"));
  try {
    const dbPath = join(dir, "sesame.db");
    const db = openDb(dbPath, { migrate: true, cacheKib: WORKER_DB_CACHE_KIB });
    const writer = new WriteBehind({ db, sliceMs: 60_000 });
    const now = Date.now();
    const clock = () => now;
    // the keys exist before the cache (the verifier computes each from its datagram and drops it):
    // the growth below is what the cache itself holds
    const keys = Array.from({ length: entries }, () => spaReplayKey(randomBytes(150).toString("base64")));
    const m0 = mem();
    const cache = new ReplayCache({ writer, now: clock });
    let persistMs = 0;
    for (let i = 0; i < entries; i++) {
      cache.add(keys[i]!, now + 3_600_000);
      // the op queue holds 100k: write as the worker would, in its transactions, before it fills
      if ((i + 1) % 50_000 === 0 || i === entries - 1) {
        const t = performance.now();
        drain(writer);
        persistMs += performance.now() - t;
      }
    }
    const m1 = mem();
    const absent = Array.from({ length: Math.min(entries, 100_000) }, () => spaReplayKey(randomBytes(150).toString("base64")));
    const n = keys.length;
    const hitNs = perCheck((i) => cache.has(keys[(i * 7919) % n]!), 200);
    const missNs = perCheck((i) => cache.has(absent[(i * 7919) % absent.length]!), 200);
    const datagram = randomBytes(150).toString("base64").replace(/=+$/, "");
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) cache.has(spaReplayKey(datagram + String(i % 10)));
    const digestAndCheckUs = Number(process.hrtime.bigint() - t0) / 20_000 / 1000;
    const prunes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      cache.prune(now);
      prunes.push(performance.now() - t);
    }
    prunes.sort((a, b) => a - b);
    const dbFileMb = (statSync(dbPath).size + (statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 2 ** 20;
    const l0 = mem();
    const t1 = performance.now();
    const restarted = new ReplayCache({ writer, now: clock });
    const loaded = restarted.load(db);
    const loadSeconds = (performance.now() - t1) / 1000;
    const l1 = mem();
    if (loaded !== entries || restarted.size !== entries) throw new Error(`load() found ${loaded} of ${entries} digests`);
    db.$client.close();
    return {
      entries, heapMb: m1.heap - m0.heap, rssMb: m1.rss - m0.rss, hitNs, missNs, digestAndCheckUs, pruneMs: pct(prunes, 50),
      persistSeconds: persistMs / 1000, dbFileMb, loadSeconds, loadHeapMb: l1.heap - l0.heap,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (process.argv[1]?.endsWith("spa-replay-cache.ts")) {
  const li = argv.indexOf("--levels");
  const levels = (li >= 0 ? argv[li + 1]! : "1000,1000000").split(",").map(Number);
  const out = levels.map((n) => measureLevel(n));
  if (argv.includes("--json")) console.log(JSON.stringify(out));
  else
    for (const r of out)
      console.log(`${r.entries} digests: +${r.heapMb.toFixed(1)} MB heap (+${r.rssMb.toFixed(1)} MB RSS); has() ${r.hitNs.median.toFixed(0)} ns hit / ${r.missNs.median.toFixed(0)} ns miss (p99 ${r.hitNs.p99.toFixed(0)}/${r.missNs.p99.toFixed(0)}); digest+check ${r.digestAndCheckUs.toFixed(2)} µs; prune ${r.pruneMs.toFixed(1)} ms; persist ${r.persistSeconds.toFixed(1)} s, ${r.dbFileMb.toFixed(0)} MB on disk; load ${r.loadSeconds.toFixed(2)} s (+${r.loadHeapMb.toFixed(1)} MB heap)`);
}
