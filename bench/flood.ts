import { DAEMON_LABELS, type Daemon, type DaemonKind } from "./lib/daemons";
import { startFlood, type FloodResult } from "./lib/flood";
import { startKnockers } from "./lib/knocker";
import { readMachineBusySeconds, RssSampler, waitCpuQuiet } from "./lib/proc";
import { atLeast, atMost, type MeasureOutcome, type Row } from "./lib/report";
import { withDaemon, type BenchContext } from "./lib/session";
import { round, summarize, type Summary } from "./lib/stats";
import type { Bed } from "./lib/testbed";

export interface FloodStep {
  requestedPps: number;
  flood: FloodResult;
  knocks: number;
  opened: number;
  latency?: Summary;
  /** CPU seconds from flood start until the daemon went quiet (its backlog included). */
  cpuSeconds: number;
  /** Busy CPU seconds of the whole machine over the same interval (generator, kernel receive path, daemon). */
  machineCpuSeconds: number;
  /** Peak sampled VmRSS during the flood, and VmHWM at the end. */
  peakRssMb?: number;
  hwmMb?: number;
  pendingMax?: number;
  /** Worker's pending attempts when the first legit knock went out. */
  pendingAtKnock?: number;
  /** How much of the flood the daemon processed: knockd's Stage 1 lines, the worker's packet counter. */
  handled: number;
  /** The worker's last heartbeat counters (captureDropped, evicted, eventsDropped, …). */
  workerStats?: Record<string, number>;
}

export interface FloodStepOptions {
  pps: number;
  mix: number;
  knocks: number;
  gapMs: number;
  timeoutMs: number;
  /** Flood this long before the first knock, so the daemon is in its steady state (list full / cap reached). */
  runInMs: number;
  /** SPA: UDP junk of `payload` base64 characters to `port`, legit knockers send the datagrams in `file` (one per source). */
  spa?: { file: string; port: number; payload: number };
}

/**
 * One flood with legitimate knockers in the middle of it: the flood runs 1 s
 * before the first knock and until the last knocker is done (bounded by the
 * knockers' own timeouts), then we wait for the daemon to drain its backlog.
 */
export async function runFloodStep(ctx: BenchContext, d: Daemon, bed: Bed, o: FloodStepOptions): Promise<FloodStep> {
  const sampler = new RssSampler(d.pid, 50).start();
  let pendingMax: number | undefined;
  let pendingAtKnock: number | undefined;
  const pendingTimer = setInterval(() => {
    const p = d.pending();
    if (p !== undefined) pendingMax = Math.max(pendingMax ?? 0, p);
  }, 250);
  const cpu0 = d.cpuSeconds() ?? 0;
  const machine0 = readMachineBusySeconds();
  const seconds = (o.runInMs + o.knocks * o.gapMs + o.timeoutMs) / 1000 + 1;
  const spaFlood = o.spa ? { port: o.spa.port, udpPayload: o.spa.payload } : {};
  const flood = startFlood(bed, ctx.tools, { pps: o.pps, seconds, mix: o.mix, seed: Date.now() % 100_000, ...spaFlood });
  try {
    await new Promise((r) => setTimeout(r, o.runInMs));
    pendingAtKnock = d.pending();
    const spaKnock = o.spa ? { spa: { file: o.spa.file, port: o.spa.port } } : {};
    const results = await startKnockers(bed, ctx.tools, { sources: bed.legit.slice(0, o.knocks), gapMs: o.gapMs, timeoutMs: o.timeoutMs, intervalUs: 500, ...spaKnock }).done;
    flood.stop();
    const floodResult = await flood.done;
    await waitCpuQuiet(d.pid, 500, 30_000);
    const cpu1 = d.cpuSeconds() ?? cpu0;
    const machine1 = readMachineBusySeconds();
    // the worker's heartbeat (1 s) must have caught up before its counters are read
    if (d.workerStats() !== undefined) await new Promise((r) => setTimeout(r, 1200));
    const ok = results.filter((r) => r.ok);
    return {
      requestedPps: o.pps,
      flood: floodResult,
      knocks: results.length,
      opened: ok.length,
      latency: summarize(ok.map((r) => r.latencyMs!)),
      cpuSeconds: cpu1 - cpu0,
      machineCpuSeconds: machine1 - machine0,
      peakRssMb: sampler.peakMb(),
      hwmMb: d.peakRssMb(),
      pendingMax,
      pendingAtKnock,
      handled: d.workerStats() === undefined ? d.attempts() : o.spa ? (d.workerStats()?.spaPackets ?? 0) : (d.workerStats()?.packets ?? 0),
      workerStats: d.workerStats(),
    };
  } finally {
    flood.stop();
    sampler.stop();
    clearInterval(pendingTimer);
  }
}

/**
 * Measurement 2 — a random-source SYN flood on the first sequence port at
 * 20k/50k/100k packets/s, ≥ 20 legitimate knocks during it. Fresh namespaces
 * and daemon per rate, knockd's default seq_timeout (25 s).
 */
export async function measureFlood(ctx: BenchContext): Promise<MeasureOutcome> {
  const rates = ctx.quick ? [20_000, 100_000] : [20_000, 50_000, 100_000];
  // past the table's rates, keep going (bounded) until a daemon first misses a knock
  const beyond = ctx.quick ? [200_000] : [150_000, 200_000, 300_000];
  const knocks = ctx.quick ? 6 : 20;
  const runs: Partial<Record<DaemonKind, FloodStep[]>> = {};
  for (const kind of ctx.daemons) {
    runs[kind] = [];
    for (const pps of [...rates, ...beyond]) {
      if (rates.length <= runs[kind].length && runs[kind].some((s) => s.opened < s.knocks)) break;
      ctx.log(`flood: ${DAEMON_LABELS[kind]} at ${pps / 1000}k pps, ${knocks} knocks`);
      const step = await withDaemon(ctx, kind, { legit: knocks, seqTimeoutSec: 25 }, {}, (d, bed) =>
        runFloodStep(ctx, d, bed, { pps, mix: 1, knocks, gapMs: 200, timeoutMs: 3000, runInMs: ctx.quick ? 1000 : 5000 }),
      );
      ctx.log(`  sent ${step.flood.pps.toFixed(0)} pps, opened ${step.opened}/${step.knocks}, cpu ${step.cpuSeconds.toFixed(2)} s, peak ${step.peakRssMb?.toFixed(1)} MB`);
      runs[kind].push(step);
    }
  }
  const firstMissOf = (k: DaemonKind): FloodStep | undefined => runs[k]?.find((s) => s.opened < s.knocks);
  const rows: Row[] = [];
  const at = (kind: DaemonKind, i: number): FloodStep | undefined => runs[kind]?.[i];
  rates.forEach((pps, i) => {
    const label = `${pps / 1000}k pps`;
    const val = (f: (s: FloodStep) => number | undefined): Partial<Record<DaemonKind, number | null>> =>
      Object.fromEntries(ctx.daemons.map((k) => [k, at(k, i) ? (f(at(k, i)!) ?? null) : undefined]));
    const openedPct = (s: FloodStep): number => (100 * s.opened) / s.knocks;
    rows.push(
      { section: `2 flood ${label}`, metric: "achieved pps", values: val((s) => s.flood.pps), digits: 0 },
      { section: `2 flood ${label}`, metric: "flood packets processed (%)", values: val((s) => Math.min(100, (100 * s.handled) / Math.max(1, s.flood.sent))), digits: 0 },
      {
        section: `2 flood ${label}`,
        metric: "opened (%)",
        values: val(openedPct),
        digits: 0,
        ...(pps === 20_000 ? { target: "100", met: at("sesame", i) ? atLeast(openedPct(at("sesame", i)!), 100) : null } : {}),
      },
      { section: `2 flood ${label}`, metric: "open latency median ms", values: val((s) => s.latency?.median) },
      { section: `2 flood ${label}`, metric: "open latency p90 ms", values: val((s) => s.latency?.p90) },
      { section: `2 flood ${label}`, metric: "daemon CPU seconds", values: val((s) => s.cpuSeconds) },
      { section: `2 flood ${label}`, metric: "machine busy CPU seconds", values: val((s) => s.machineCpuSeconds) },
      { section: `2 flood ${label}`, metric: "capture drops (worker)", values: val((s) => s.workerStats?.captureDropped), digits: 0 },
      { section: `2 flood ${label}`, metric: "packets per capture read (worker, mean)", values: val((s) => (s.workerStats?.captureBatches ? (s.workerStats.packets ?? 0) / s.workerStats.captureBatches : undefined)), digits: 1 },
      { section: `2 flood ${label}`, metric: "peak RSS MB", values: val((s) => s.hwmMb ?? s.peakRssMb), digits: 1, target: "≤ 200", met: at("sesame", i) ? atMost(at("sesame", i)!.hwmMb ?? at("sesame", i)!.peakRssMb, 200) : null },
    );
  });
  const firstMiss = firstMissOf("sesame");
  rows.push({
    section: "2 flood",
    metric: "first miss at (achieved pps)",
    values: Object.fromEntries(ctx.daemons.map((k) => [k, firstMissOf(k)?.flood.pps ?? null])),
    digits: 0,
  });
  rows.push({
    section: "2 flood",
    metric: "highest rate tried (achieved pps)",
    values: Object.fromEntries(ctx.daemons.map((k) => [k, runs[k]?.length ? Math.max(...runs[k]!.map((s) => s.flood.pps)) : null])),
    digits: 0,
  });
  const panels = [
    {
      title: "Legit knocks opened during a SYN flood",
      unit: "% opened",
      groups: rates.map((pps, i) => ({ label: `${pps / 1000}k pps`, values: Object.fromEntries(ctx.daemons.map((k) => [k, at(k, i) ? round((100 * at(k, i)!.opened) / at(k, i)!.knocks, 1) : null])) })),
    },
    {
      title: "CPU seconds to handle the flood",
      unit: "CPU s",
      groups: rates.map((pps, i) => ({ label: `${pps / 1000}k pps`, values: Object.fromEntries(ctx.daemons.map((k) => [k, at(k, i) ? round(at(k, i)!.cpuSeconds, 2) : null])) })),
    },
  ];
  return {
    name: "flood",
    rows,
    panels,
    raw: runs,
    notes: [
      `flood: "processed" = knockd's Stage 1 lines / the worker's packet counter over frames sent (a knockd Stage 1 line is one first-port SYN it looked at). Past ${rates[rates.length - 1]! / 1000}k the rate keeps stepping (${beyond.map((b) => `${b / 1000}k`).join(", ")}) until the daemon first misses a knock.`,
      `flood: spoofed SYNs (sources random in 100.64.0.0/10) to port 7000 via AF_PACKET on the client veth; knocking starts after ${ctx.quick ? 1 : 5} s of flood; ${knocks} knockers 200 ms apart, each given 3 s to open; CPU includes the backlog drained after the flood.`,
      ...(runs.sesame
        ? [firstMiss ? `flood: Sesame first missed a knock at ${firstMiss.requestedPps / 1000}k pps requested (${firstMiss.flood.pps.toFixed(0)} achieved).` : `flood: Sesame opened every knock at every rate tried (up to ${beyond[beyond.length - 1]! / 1000}k requested; "first miss" n/a = none).`]
        : []),
    ],
  };
}
