import { DAEMON_LABELS, type DaemonKind } from "./lib/daemons";
import { runFlood } from "./lib/flood";
import { RssSampler, waitCpuQuiet } from "./lib/proc";
import { atMost, type MeasureOutcome, type Row } from "./lib/report";
import { withDaemon, type BenchContext } from "./lib/session";
import { percentile, round } from "./lib/stats";

/** The worker's default cap on pending attempts (core Matcher default). */
const DEFAULT_CAP = 250_000;

interface MemoryRun {
  baselineMb: number;
  peakMb: number;
  hwmMb?: number;
  afterMb: number;
  /** Idle time until RSS was back within 10 % of baseline (or the bound, when it never was). */
  settleSeconds: number;
  afterPct: number;
  floods: { pps: number; seconds: number; achievedPps: number; peakMb: number }[];
  pendingMax?: number;
  cap: number;
}

async function sampleMedianMb(s: RssSampler, ms: number): Promise<number> {
  const since = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const v = s.samples.filter((x) => x.t >= since).map((x) => x.rssKb / 1024);
  return percentile(v, 50) ?? NaN;
}

/**
 * Measurement 5 — RSS before, during and after repeated random-source SYN
 * floods (seq_timeout 5 s so attempts expire between floods; default cap).
 * "After" = median RSS over 2 s, polled once the daemon is idle until it is within 10 % of baseline (V8 returns memory only after some idle time) or 60 s have passed.
 */
export async function measureMemory(ctx: BenchContext): Promise<MeasureOutcome> {
  const floods = ctx.quick ? [50_000, 100_000] : [20_000, 50_000, 100_000, 100_000];
  const seconds = ctx.quick ? 3 : 5;
  const settleMaxMs = ctx.quick ? 40_000 : 60_000;
  const runs: Partial<Record<DaemonKind, MemoryRun>> = {};
  for (const kind of ctx.daemons) {
    ctx.log(`memory: ${DAEMON_LABELS[kind]}, floods ${floods.map((f) => `${f / 1000}k`).join(", ")} pps × ${seconds} s`);
    runs[kind] = await withDaemon(ctx, kind, { legit: 1, seqTimeoutSec: 5 }, {}, async (d, bed) => {
      const sampler = new RssSampler(d.pid, 50).start();
      let pendingMax: number | undefined;
      const pendingTimer = setInterval(() => {
        const p = d.pending();
        if (p !== undefined) pendingMax = Math.max(pendingMax ?? 0, p);
      }, 200);
      try {
        await waitCpuQuiet(d.pid, 500, 15_000);
        const baselineMb = await sampleMedianMb(sampler, 2000);
        const done: MemoryRun["floods"] = [];
        for (const [i, pps] of floods.entries()) {
          const since = Date.now();
          const r = await runFlood(bed, ctx.tools, { pps, seconds, seed: 100 + i });
          await waitCpuQuiet(d.pid, 500, 30_000);
          done.push({ pps, seconds, achievedPps: r.pps, peakMb: sampler.peakMb(since) ?? NaN });
          // let the flood's attempts time out (5 s) before the next one
          await new Promise((res) => setTimeout(res, 7000));
        }
        await waitCpuQuiet(d.pid, 1000, 30_000);
        // V8 gives memory back only after a while of idleness (its memory reducer): wait for it, bounded
        const idleSince = Date.now();
        let afterMb = await sampleMedianMb(sampler, 2000);
        for (let i = 0; i < 40 && afterMb > baselineMb * 1.1 && Date.now() - idleSince < settleMaxMs; i++) afterMb = await sampleMedianMb(sampler, 2000);
        const settleSeconds = (Date.now() - idleSince) / 1000;
        return {
          baselineMb,
          peakMb: sampler.peakMb() ?? NaN,
          hwmMb: d.peakRssMb(),
          afterMb,
          settleSeconds,
          afterPct: (100 * afterMb) / baselineMb,
          floods: done,
          pendingMax,
          cap: DEFAULT_CAP,
        } satisfies MemoryRun;
      } finally {
        sampler.stop();
        clearInterval(pendingTimer);
      }
    });
    const r = runs[kind]!;
    ctx.log(`  baseline ${r.baselineMb.toFixed(1)} MB, peak ${r.peakMb.toFixed(1)} MB, after ${r.afterMb.toFixed(1)} MB (${r.afterPct.toFixed(0)} %, ${r.settleSeconds.toFixed(0)} s idle)`);
  }
  const val = (f: (r: MemoryRun) => number | undefined): Partial<Record<DaemonKind, number | null>> =>
    Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, f(r) ?? null]));
  const s = runs.sesame;
  const rows: Row[] = [
    { section: "5 memory", metric: "RSS baseline MB", values: val((r) => r.baselineMb), digits: 1 },
    { section: "5 memory", metric: "RSS peak MB (VmHWM)", values: val((r) => r.hwmMb ?? r.peakMb), digits: 1, target: "≤ 200", met: s ? atMost(s.hwmMb ?? s.peakMb, 200) : null },
    { section: "5 memory", metric: "RSS after MB", values: val((r) => r.afterMb), digits: 1 },
    { section: "5 memory", metric: "after / baseline %", values: val((r) => r.afterPct), digits: 0, target: "≤ 110", met: s ? atMost(s.afterPct, 110) : null },
    { section: "5 memory", metric: "idle s until back (bound)", values: val((r) => r.settleSeconds), digits: 0 },
    { section: "5 memory", metric: "max pending (cap 250k)", values: val((r) => r.pendingMax), digits: 0, target: "≤ 250000", met: s?.pendingMax !== undefined ? atMost(s.pendingMax, DEFAULT_CAP) : null },
  ];
  return {
    name: "memory",
    rows,
    panels: [
      {
        title: "RSS before / peak / after floods",
        unit: "MB",
        groups: [
          { label: "baseline", values: val((r) => round(r.baselineMb, 1)) },
          { label: "peak", values: val((r) => round(r.hwmMb ?? r.peakMb, 1)) },
          { label: "after", values: val((r) => round(r.afterMb, 1)) },
        ],
      },
    ],
    raw: runs,
    notes: [`memory: floods ${floods.map((f) => `${f / 1000}k`).join(", ")} pps × ${seconds} s, 7 s apart; peak = VmHWM of the daemon process; after = RSS once idle, waiting up to ${settleMaxMs / 1000} s for it to return within 10 % of baseline (time shown); pending from the worker's heartbeat stats (knockd has no cap and no counter).`],
  };
}
