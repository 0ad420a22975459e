import { DAEMON_LABELS, type DaemonKind } from "./lib/daemons";
import { runFloodStep, type FloodStep } from "./flood";
import { atLeast, type MeasureOutcome, type Row } from "./lib/report";
import { withDaemon, type BenchContext } from "./lib/session";

interface MaxRateRun {
  steps: FloodStep[];
  /** Highest requested rate at which every knock opened (null: not even the first). */
  maxOkPps: number | null;
  /** Achieved generator rate at that step. */
  maxOkAchievedPps: number | null;
  firstMissPps: number | null;
}

/**
 * Measurement 3 — the highest mixed packet rate at which every legitimate
 * knock still opens. A quarter of the frames are first-port SYNs from random
 * sources, the rest is traffic no door watches (TCP ACKs to 443, UDP to 53,
 * SYNs to 80). Steps up until the first miss; fresh daemon per step.
 */
export async function measureMaxRate(ctx: BenchContext): Promise<MeasureOutcome> {
  const rates = ctx.quick ? [10_000, 50_000, 100_000] : [10_000, 16_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000];
  const knocks = ctx.quick ? 5 : 10;
  const seqTimeout = ctx.quick ? 5 : 25;
  const runs: Partial<Record<DaemonKind, MaxRateRun>> = {};
  for (const kind of ctx.daemons) {
    const run: MaxRateRun = { steps: [], maxOkPps: null, maxOkAchievedPps: null, firstMissPps: null };
    runs[kind] = run;
    for (const pps of rates) {
      ctx.log(`max-rate: ${DAEMON_LABELS[kind]} at ${pps / 1000}k pps mixed`);
      // knock only after a full seq_timeout of flood: the daemon's attempt list is then as long as it gets
      const step = await withDaemon(ctx, kind, { legit: knocks, seqTimeoutSec: seqTimeout }, {}, (d, bed) =>
        runFloodStep(ctx, d, bed, { pps, mix: 0.25, knocks, gapMs: 150, timeoutMs: 2000, runInMs: seqTimeout * 1000 + 500 }),
      );
      run.steps.push(step);
      ctx.log(`  sent ${step.flood.pps.toFixed(0)} pps, opened ${step.opened}/${step.knocks}`);
      if (step.opened < step.knocks) {
        run.firstMissPps = pps;
        break;
      }
      run.maxOkPps = pps;
      run.maxOkAchievedPps = step.flood.pps;
    }
  }
  const val = (f: (r: MaxRateRun) => number | null): Partial<Record<DaemonKind, number | null>> =>
    Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, f(r)]));
  const rows: Row[] = [
    { section: "3 max rate", metric: "max pps, all opened (requested)", values: val((r) => r.maxOkPps), digits: 0, target: "≥ 100k", met: runs.sesame ? atLeast(runs.sesame.maxOkAchievedPps, 98_000) : null },
    { section: "3 max rate", metric: "  achieved by generator", values: val((r) => r.maxOkAchievedPps), digits: 0 },
    { section: "3 max rate", metric: "first miss at (requested pps)", values: val((r) => r.firstMissPps), digits: 0 },
  ];
  return {
    name: "max-rate",
    rows,
    panels: [{ title: "Max mixed rate with every knock opening", unit: "packets/s", groups: [{ label: "max pps", values: val((r) => r.maxOkAchievedPps) }] }],
    raw: runs,
    notes: [
      `max-rate: steps ${rates.map((r) => `${r / 1000}k`).join(", ")} pps; seq_timeout ${seqTimeout} s and knocking after ${seqTimeout} s of flood (steady state); ${knocks} knocks per step (150 ms apart, 2 s each); "first miss" null = never missed up to the last step (the ceiling is then the generator's, not the daemon's). The target is checked on the achieved rate (≥ 98k: 2 % pacing tolerance).`,
    ],
  };
}
