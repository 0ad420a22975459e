/**
 * Cache lines the attempt store misses per operation, counted by
 * cachegrind (valgrind) instead of timed: deterministic for the same code,
 * whatever the VM's neighbours are doing, which timings here are not.
 *
 *   npx tsx bench/store-misses.ts          # runs itself under valgrind twice, prints the per-op figure
 *
 * One "op" is what the matcher-scaling workload does to the store for 4
 * packets at the cap: look up a pending source (hit: its table line and
 * row), look up an unknown one (miss), evict the oldest stage-1 attempt and
 * insert a newcomer. 300k attempts are pending (the table and rows are far
 * larger than the simulated 2 MB last-level cache, as 1M are on this VM);
 * the figure is the slope between 100k and 300k ops, so start-up and JIT
 * warm-up cancel out.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { door as doorOf } from "../packages/core/src/matcher-fixtures";
import { hashIpKey } from "../packages/core/src/matcher-ip-table";
import { DoorState } from "../packages/core/src/matcher-state";
import { AttemptStore } from "../packages/core/src/matcher-store";

const PENDING = Number(process.env.PENDING ?? 300_000);
const SEED = 77;

function run(ops: number): number {
  const d = doorOf("a", "7000,8000,9000", { seqTimeoutMs: 5000, tcpFlags: { set: ["syn"], clear: [] } });
  const door = new DoorState(d, d.sequence);
  const store = new AttemptStore();
  for (let i = 0; i < PENDING; i++) store.add("", i + 1, hashIpKey(i + 1, SEED), door, i);
  let s = 9;
  let sum = 0;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let k = 0; k < ops; k++) {
    const hit = 1 + (next() % PENDING);
    const miss = 0x40000000 + k;
    const fresh = PENDING + 1 + k;
    sum += store.firstOf(hit, hashIpKey(hit, SEED));
    sum += store.firstOf(miss, hashIpKey(miss, SEED));
    store.remove(store.victim([door]));
    const h = hashIpKey(fresh, SEED);
    if (store.firstOf(fresh, h) < 0) store.add("", fresh, h, door, PENDING + k);
  }
  return sum;
}

/** Instructions and LL data read misses of a run under cachegrind (2 MB, 16-way last level: what this VM's caches hold before DRAM). */
function counts(ops: number): { instructions: number; misses: number } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync("valgrind", ["--tool=cachegrind", "--cache-sim=yes", "--LL=2097152,16,64", "--cachegrind-out-file=/dev/null", process.execPath, "--single-threaded", "--import", "tsx", self, "--child", String(ops)], {
    encoding: "utf8",
    timeout: 1_800_000,
  });
  const m = /LLd misses:\s+[\d,]+\s+\(\s*([\d,]+) rd/.exec(r.stderr);
  const i = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (!m || !i) throw new Error(`no cachegrind summary (is valgrind installed?): ${r.error?.message ?? r.stderr.slice(-500)}`);
  return { instructions: Number(i[1]!.replace(/,/g, "")), misses: Number(m[1]!.replace(/,/g, "")) };
}

if (process.argv[2] === "--child") {
  if (run(Number(process.argv[3])) === 0.5) console.log("unreachable");
} else {
  const a = counts(100_000);
  const b = counts(300_000);
  const per = (k: "instructions" | "misses"): string => ((b[k] - a[k]) / 200_000).toFixed(k === "misses" ? 2 : 0);
  console.log(`attempt store, ${PENDING} pending, per op (hit lookup + miss lookup + eviction + insert): ${per("misses")} last-level data read misses, ${per("instructions")} instructions`);
}
