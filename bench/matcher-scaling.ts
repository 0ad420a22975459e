/**
 * Measurement 4a — the core Matcher alone, in-process: CPU per packet with
 * 1k…1M pending attempts. Runnable on its own: `npx tsx bench/matcher-scaling.ts [--quick]`.
 * Information only (issue 13 retired its ≤ 2× target): the figure that
 * counts is the whole daemon's (4b), where the matcher is well under 1 %.
 *
 * Each level gets a matcher capped at `level` attempts, filled with `level`
 * stage-1 attempts (long seq_timeout), then the same workload at every level,
 * in rounds of six packets: a spoofed newcomer on the first port (it evicts
 * the oldest stage-1 attempt: the level stays constant), a user's first knock,
 * the second knock of the user who started LAG rounds earlier, the third
 * (OPEN SESAME) of the one who started 2·LAG rounds earlier, a second-port
 * knock from an unknown source (lookup miss) and an unwatched packet. LAG is
 * level/8 rounds, so a returning user's attempt is as old, relative to the
 * table, at every level (at 1M: 125k rounds, long out of the caches); 2·LAG
 * warm-up rounds run before timing, so the timed rounds start in the steady
 * state. Every level then does the same work per packet (checked: events per
 * packet are reported). It is fed
 * two ways: in reads of BATCH packets through handleBatch() (as the worker
 * does) and one packet at a time through handle(). The
 * worker hands the matcher each capture read, up to 256 packets: at the flood
 * rates this machine can generate it keeps up and reads ~2 packets per
 * wake-up (bench "packets per capture read"); reads grow as it falls behind,
 * which is when CPU per packet matters. Rounds of the levels are interleaved and the median
 * round is reported, so CPU frequency drift hits all levels alike; a full
 * collection before each timed round keeps one level's garbage (up to a
 * 1M-attempt matcher) out of the next one's timing, and CPU is the main
 * thread's (schedstat), so the GC helper threads still sweeping that garbage
 * are not billed either (the process-wide figure is kept alongside).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Matcher, type Door, type KnockPacket } from "@sesame/core";
import { round } from "./lib/stats";

const HOST = "10.0.0.1";
const SYN = 0x02;
/** Packets per capture read fed to handleBatch(). */
export const BATCH = 64;

export interface MatcherLevel {
  pending: number;
  /** Median over rounds of the main thread's CPU ns (schedstat) per packet, fed in reads of BATCH (handleBatch). */
  cpuNsPerPacket: number;
  /** Same with the whole process's CPU (user+system, GC helper threads included). */
  processCpuNsPerPacket: number;
  wallNsPerPacket: number;
  /** Main-thread CPU ns per packet fed one at a time (handle()). */
  perPacketCpuNs: number;
  rounds: number;
  packetsPerRound: number;
  /** Pending attempts after the workload (the cap holds the level constant). */
  pendingAfter: number;
  /** Matcher events per packet: the same at every level when the workload is (a check on the bench itself). */
  eventsPerPacket: number;
  /**
   * Reference: ns per random Map<string, object>.get on a plain Map of the
   * same size. Growth here is the memory hierarchy (cache/TLB misses once the
   * table outgrows the caches), not the matcher's algorithm.
   */
  mapGetNs: number;
  /**
   * Reference: ns per dependent random read (pointer chase) in an Int32Array
   * of 32 B per attempt at this level (the old typed-array store's rows).
   * The floor for any structure that must find one of `pending` random
   * sources: at least one such read per looked-up packet.
   */
  randomReadNs: number;
}

/** ns per dependent random read in a `bytes`-sized Int32Array (one random cycle, Sattolo). */
function timeRandomRead(bytes: number, reads: number): number {
  const n = Math.max(16, Math.floor(bytes / 4));
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % i;
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  const passes: number[] = [];
  let p = 0;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) p = a[p]!;
    passes.push(Number(process.hrtime.bigint() - t0) / reads);
  }
  if (p < 0) throw new Error("unreachable");
  return median(passes);
}

/** ns per random get() on a Map of `size` IP-string keys (median of 3 passes). */
function timeMapGet(size: number, gets: number): number {
  const m = new Map<string, { stage: number; start: number }>();
  for (let i = 0; i < size; i++) m.set(ipOf(i), { stage: 1, start: i });
  const keys: string[] = [];
  let s = 7;
  for (let i = 0; i < gets; i++) keys.push(ipOf((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % size));
  const passes: number[] = [];
  let sink = 0;
  for (let p = 0; p < 3; p++) {
    const t0 = process.hrtime.bigint();
    for (const k of keys) sink += m.get(k)!.stage;
    passes.push(Number(process.hrtime.bigint() - t0) / gets);
  }
  if (sink === 0) throw new Error("unreachable");
  return median(passes);
}

function ipOf(i: number): string {
  return `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;
}

function benchDoor(): Door {
  return {
    id: "bench",
    name: "bench",
    sequence: [7000, 8000, 9000].map((port) => ({ port, protocol: "tcp" as const })),
    seqTimeoutMs: 3_600_000,
    tcpFlags: { set: ["syn"], clear: [] },
    action: { kind: "open", ports: [{ port: 2222, protocol: "tcp" }], durationSec: 3600 },
    cooldownMs: 0,
    tolerateDuplicates: false,
    enabled: true,
  };
}

function pkt(src: string, dport: number): KnockPacket {
  return { src, dst: HOST, family: 4, protocol: "tcp", dport, flags: SYN };
}

/** Rounds between a user's knocks: level/8, so at every level the attempt a user returns to is as old relative to the table. */
function lagOf(level: number): number {
  return Math.max(1, level >> 3);
}

/**
 * The packets of rounds [from, to): see the header. Users are numbered by
 * the round they start in; spoofed sources by round too, in another range.
 */
function rounds(level: number, from: number, to: number): KnockPacket[] {
  const lag = lagOf(level);
  const out: KnockPacket[] = [];
  let s = (from * 2654435761) >>> 0 || 1;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let r = from; r < to; r++) {
    out.push(pkt(ipOf(SPOOFS + r), 7000), pkt(ipOf(USERS + r), 7000));
    if (r >= lag) out.push(pkt(ipOf(USERS + r - lag), 8000));
    if (r >= 2 * lag) out.push(pkt(ipOf(USERS + r - 2 * lag), 9000));
    out.push(pkt(`198.18.${next() & 255}.${next() & 255}`, 8000), pkt(ipOf(SPOOFS + r), 443));
  }
  return out;
}

/** Source numbers: the pre-fill from 0, spoofed newcomers and users in their own ranges (ipOf() spans 4M). */
const SPOOFS = 1_100_000;
const USERS = 2_400_000;

function createLoaded(level: number): { m: Matcher; clock: { t: number }; round: number } {
  const clock = { t: 1_000_000 };
  const m = new Matcher([benchDoor()], { now: () => clock.t, isLocalAddress: (ip) => ip === HOST, maxAttempts: level });
  for (let i = 0; i < level; i++) m.handle(pkt(ipOf(i), 7000));
  // warm-up to the steady state: users at every stage of the window
  const warm = 2 * lagOf(level);
  for (let r = 0; r < warm; r += 4096) for (const p of rounds(level, r, Math.min(warm, r + 4096))) m.handle(p);
  return { m, clock, round: warm };
}

/** On-CPU ns of the calling thread (schedstat): the matcher's own work, not the GC helper threads'. */
function threadCpuNs(): number {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
}

/** A full collection (gc() without a command-line flag), so no level pays for another's garbage. */
const fullGc: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/**
 * Rounds timed at a level: at least `count` packets, and at least 1.25·level
 * rounds, so every level pays its share of the queues' periodic compaction
 * (each rebuild reads ~2·level entries once ~level stale ones have piled up:
 * a shorter window would time 1M between two rebuilds and 1k across dozens).
 */
function timedRounds(level: number, count: number): number {
  return Math.max(Math.ceil(count / 6), Math.ceil(level * 1.25));
}

/** Rounds generated (outside the timing) per timed chunk (~200k packets). */
const CHUNK_ROUNDS = 32_768;

function timeRound(level: number, count: number, batch: number): { cpu: number; wall: number; processCpu: number; pendingAfter: number; eventsPerPacket: number } {
  const { m, clock, round } = createLoaded(level);
  const end = round + timedRounds(level, count);
  clock.t += 1000;
  let cpu = 0;
  let wall = 0;
  let processCpu = 0;
  let events = 0;
  let packets = 0;
  for (let r = round; r < end; r += CHUNK_ROUNDS) {
    const work = rounds(level, r, Math.min(end, r + CHUNK_ROUNDS));
    const reads: KnockPacket[][] = [];
    for (let i = 0; batch > 1 && i < work.length; i += batch) reads.push(work.slice(i, i + batch));
    // Garbage from before (the previous level's matcher, up to 1M attempts; this one's pre-fill;
    // the last chunk's packets) is collected here, and this chunk's packets moved out of the young
    // generation, so the timing pays only for the matcher's own garbage.
    fullGc();
    const c0 = process.cpuUsage();
    const t0 = threadCpuNs();
    const w0 = process.hrtime.bigint();
    if (batch > 1) {
      for (const read of reads) for (const e of m.handleBatch(read)) events += e.length;
    } else {
      for (const p of work) events += m.handle(p).length;
    }
    wall += Number(process.hrtime.bigint() - w0);
    cpu += threadCpuNs() - t0;
    const c = process.cpuUsage(c0);
    processCpu += (c.user + c.system) * 1000;
    packets += work.length;
  }
  if (events === 0) throw new Error("workload produced no events");
  return { cpu: cpu / packets, wall: wall / packets, processCpu: processCpu / packets, pendingAfter: m.stats().pending, eventsPerPacket: events / packets };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Run the in-process matcher scaling measurement (bounded: rounds × levels). */
export function measureMatcherScaling(opts: { quick: boolean; log?: (m: string) => void }): MatcherLevel[] {
  const levels = opts.quick ? [1_000, 10_000, 100_000, 1_000_000] : [1_000, 10_000, 100_000, 1_000_000];
  const rounds = opts.quick ? 3 : 7;
  const count = opts.quick ? 40_000 : 200_000;
  timeRound(1_000, count, BATCH); // JIT warm-up, not measured
  timeRound(1_000, count, 1);
  const samples = new Map<number, { cpu: number[]; wall: number[]; processCpu: number[]; single: number[]; pendingAfter: number; eventsPerPacket: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const level of levels) {
      const t = timeRound(level, count, BATCH);
      const one = timeRound(level, count, 1);
      const s = samples.get(level) ?? { cpu: [], wall: [], processCpu: [], single: [], pendingAfter: 0, eventsPerPacket: 0 };
      s.cpu.push(t.cpu);
      s.processCpu.push(t.processCpu);
      s.wall.push(t.wall);
      s.single.push(one.cpu);
      s.pendingAfter = t.pendingAfter;
      s.eventsPerPacket = t.eventsPerPacket;
      samples.set(level, s);
    }
    opts.log?.(`matcher-scaling: round ${r + 1}/${rounds}`);
  }
  return levels.map((level) => {
    const s = samples.get(level)!;
    return {
      pending: level,
      cpuNsPerPacket: round(median(s.cpu), 1),
      processCpuNsPerPacket: round(median(s.processCpu), 1),
      wallNsPerPacket: round(median(s.wall), 1),
      perPacketCpuNs: round(median(s.single), 1),
      rounds,
      packetsPerRound: timedRounds(level, count) * 6,
      pendingAfter: s.pendingAfter,
      eventsPerPacket: round(s.eventsPerPacket, 3),
      mapGetNs: round(timeMapGet(level, 200_000), 1),
      randomReadNs: round(timeRandomRead(level * 32, 1_000_000), 1),
    };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const res = measureMatcherScaling({ quick: process.argv.includes("--quick"), log: (m) => console.error(m) });
  console.table(res);
  const first = res[0]!;
  const last = res[res.length - 1]!;
  console.log(`1M / 1k CPU per packet, reads of ${BATCH}: ${(last.cpuNsPerPacket / first.cpuNsPerPacket).toFixed(2)}×`);
  console.log(`1M / 1k CPU per packet, one at a time: ${(last.perPacketCpuNs / first.perPacketCpuNs).toFixed(2)}×`);
}
