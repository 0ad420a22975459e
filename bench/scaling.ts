import { DAEMON_LABELS, type Daemon, type DaemonKind } from "./lib/daemons";
import { runFlood } from "./lib/flood";
import { waitCpuQuiet } from "./lib/proc";
import { atMost, type MeasureOutcome, type Panel, type Row } from "./lib/report";
import { waitForQuietMachine } from "./lib/quiet";
import { withDaemon, type BenchContext } from "./lib/session";
import { ratioOf, round } from "./lib/stats";
import type { Bed } from "./lib/testbed";
import { BATCH, measureMatcherScaling, type MatcherLevel } from "./matcher-scaling";

interface DaemonLevel {
  target: number;
  /** Attempts actually pending when the extra packets were sent (knockd: "Stage 1" lines; worker: its pending count). */
  reached: number;
  prefillSeconds: number;
  extraSent?: number;
  /** Extra packets the daemon demonstrably handled ("Stage 2" lines). */
  extraHandled?: number;
  /** CPU per handled packet, the daemon's idle CPU rate (timers, heartbeat) over the same time subtracted. */
  cpuUsPerPacket?: number;
  /** Same without the idle correction. */
  rawCpuUsPerPacket?: number;
  idleCpuMsPerSecond?: number;
  skipped?: string;
}

/** Wait until `read` stops changing for quietMs (or reaches `goal`); bounded. */
async function waitCount(read: () => number, goal: number, quietMs: number, deadline: number): Promise<number> {
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline && last < goal) {
    await new Promise((r) => setTimeout(r, 200));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

/**
 * Pre-fill `level` pending attempts with first-port knocks from sequential
 * spoofed sources, in chunks, halving the rate whenever the daemon visibly
 * loses packets (knockd's linear scan makes it slower the fuller it gets).
 * Bounded by budgetMs.
 */
async function prefill(ctx: BenchContext, d: Daemon, bed: Bed, level: number, budgetMs: number): Promise<{ reached: number; nextSource: number }> {
  const deadline = Date.now() + budgetMs;
  const base = d.attempts();
  let rate = 20_000;
  let nextSource = 0;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    const have = d.attempts() - base;
    if (have >= level) break;
    const chunk = Math.min(level - have, Math.max(1000, Math.ceil(level / 5)));
    await runFlood(bed, ctx.tools, { pps: rate, seconds: Math.min(chunk / rate + 5, (deadline - Date.now()) / 1000), count: chunk, sequentialSources: true, seqStart: nextSource });
    nextSource += chunk;
    // the worker's pending count arrives with its 1 s heartbeat: wait longer than that for it to settle
    const after = (await waitCount(() => d.attempts() - base, have + chunk, 2500, deadline)) - have;
    if (after < chunk * 0.95) rate = Math.max(250, Math.floor(rate / 2));
  }
  return { reached: d.attempts() - base, nextSource };
}

async function measureLevel(ctx: BenchContext, d: Daemon, bed: Bed, level: number): Promise<DaemonLevel> {
  const budget = (ctx.quick ? 40_000 : 120_000) * (d.kind === "knockd" ? 1 : 1.5);
  const t0 = Date.now();
  const { reached, nextSource } = await prefill(ctx, d, bed, level, budget);
  const out: DaemonLevel = { target: level, reached, prefillSeconds: (Date.now() - t0) / 1000 };
  if (reached < level * 0.95) {
    out.skipped = `pre-fill reached ${reached} of ${level} within ${budget / 1000} s`;
    return out;
  }
  await waitCpuQuiet(d.pid, 600, 60_000);
  const idle0 = d.preciseCpuSeconds() ?? 0;
  const idleT0 = Date.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idleRate = ((d.preciseCpuSeconds() ?? idle0) - idle0) / ((Date.now() - idleT0) / 1000);
  // Extra packets: the next knock (port 8000) of pending attempts → "Stage 2"; the level stays put.
  const extra = Math.min(Math.min(reached, nextSource), ctx.quick ? 2000 : 5000);
  const stage2 = d.countLog(": Stage 2");
  const cpu0 = d.preciseCpuSeconds() ?? 0;
  const t0x = Date.now();
  const flood = await runFlood(bed, ctx.tools, { pps: 2000, seconds: extra / 2000 + 5, count: extra, sequentialSources: true, seqStart: 0, port: 8000 });
  await waitCount(() => d.countLog(": Stage 2") - stage2, extra, 2000, Date.now() + 120_000);
  await waitCpuQuiet(d.pid, 600, 60_000);
  const cpu1 = d.preciseCpuSeconds() ?? cpu0;
  const busy = cpu1 - cpu0 - idleRate * ((Date.now() - t0x) / 1000);
  const handled = d.countLog(": Stage 2") - stage2;
  out.extraSent = flood.sent;
  out.extraHandled = handled;
  out.idleCpuMsPerSecond = idleRate * 1000;
  out.rawCpuUsPerPacket = handled > 0 ? ((cpu1 - cpu0) * 1e6) / handled : undefined;
  out.cpuUsPerPacket = handled > 0 ? (Math.max(0, busy) * 1e6) / handled : undefined;
  return out;
}

/**
 * Measurement 4 — CPU per packet against the number of pending attempts:
 * (a) the core Matcher in-process, (b) each whole daemon: pre-filled with
 * spoofed first-port knocks (seq_timeout 1 h), then CPU time (schedstat, ns)
 * for a fixed number of second-port knocks from pending sources.
 */
export async function measureScaling(ctx: BenchContext): Promise<MeasureOutcome> {
  const levels = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
  ctx.log("scaling (a): core Matcher in-process");
  await waitForQuietMachine("matcher-scaling", ctx.log);
  const matcher: MatcherLevel[] = measureMatcherScaling({ quick: ctx.quick, log: ctx.log });
  const runs: Partial<Record<DaemonKind, DaemonLevel[]>> = {};
  for (const kind of ctx.daemons) {
    const list: DaemonLevel[] = [];
    runs[kind] = list;
    for (const level of levels) {
      const prev = list[list.length - 1];
      if (prev?.skipped) {
        list.push({ target: level, reached: 0, prefillSeconds: 0, skipped: `not attempted: ${prev.target} was not reached` });
        continue;
      }
      ctx.log(`scaling (b): ${DAEMON_LABELS[kind]} with ${level} pending`);
      const maxAttempts = Math.ceil(level * 1.2) + 10_000;
      list.push(await withDaemon(ctx, kind, { legit: 1, seqTimeoutSec: 3600 }, { maxAttempts }, (d, bed) => measureLevel(ctx, d, bed, level)));
      const l = list[list.length - 1]!;
      ctx.log(`  reached ${l.reached} in ${l.prefillSeconds.toFixed(1)} s; ${l.cpuUsPerPacket?.toFixed(2) ?? "–"} µs CPU/packet (${l.extraHandled ?? 0}/${l.extraSent ?? 0} handled)${l.skipped ? `; ${l.skipped}` : ""}`);
    }
  }
  // 4a is information only (issue 13 retired its ≤ 2× target): the whole daemon (4b) is what counts.
  const rows: Row[] = [];
  const m1k = matcher[0]!;
  const mLast = matcher[matcher.length - 1]!;
  for (const m of matcher) {
    rows.push({ section: "4a matcher", metric: `ns CPU/packet @ ${m.pending / 1000}k pending (reads of ${BATCH})`, values: { sesame: m.cpuNsPerPacket }, digits: 0 });
  }
  const mRatio = ratioOf(mLast.cpuNsPerPacket, m1k.cpuNsPerPacket);
  rows.push({ section: "4a matcher", metric: `growth ${mLast.pending / 1000}k / 1k (reads of ${BATCH})`, values: { sesame: mRatio } });
  for (const m of [m1k, mLast]) {
    rows.push({ section: "4a matcher", metric: `ns CPU/packet @ ${m.pending / 1000}k pending (one at a time)`, values: { sesame: m.perPacketCpuNs }, digits: 0 });
  }
  const oneRatio = ratioOf(mLast.perPacketCpuNs, m1k.perPacketCpuNs);
  rows.push({ section: "4a matcher", metric: `growth ${mLast.pending / 1000}k / 1k (one at a time)`, values: { sesame: oneRatio } });
  const mapRatio = ratioOf(matcher[matcher.length - 1]!.mapGetNs, m1k.mapGetNs);
  rows.push({ section: "4a matcher", metric: "  reference: bare Map.get growth", values: { sesame: mapRatio } });
  for (const m of [m1k, matcher[matcher.length - 1]!]) {
    rows.push({ section: "4a matcher", metric: `  reference: one random read, ${m.pending / 1000}k rows (ns)`, values: { sesame: m.randomReadNs }, digits: 0 });
  }
  levels.forEach((level, i) => {
    rows.push({
      section: "4b daemon",
      metric: `µs CPU/packet @ ${level / 1000}k pending`,
      values: Object.fromEntries(Object.entries(runs).map(([k, l]) => [k, l[i]?.cpuUsPerPacket ?? null])),
    });
  });
  const growth = (l: DaemonLevel[] | undefined): number | null => {
    const last = [...(l ?? [])].reverse().find((x) => x.cpuUsPerPacket !== undefined);
    return last && l?.[0]?.cpuUsPerPacket ? ratioOf(last.cpuUsPerPacket, l[0].cpuUsPerPacket) : null;
  };
  const lastLevel = (l: DaemonLevel[] | undefined): number | undefined => [...(l ?? [])].reverse().find((x) => x.cpuUsPerPacket !== undefined)?.target;
  rows.push({
    section: "4b daemon",
    metric: "growth: last measured / 1k",
    values: Object.fromEntries(Object.entries(runs).map(([k, l]) => [k, growth(l)])),
    target: `≤ 2 @ ${levels[levels.length - 1]! / 1000}k`,
    met: lastLevel(runs.sesame) === levels[levels.length - 1] ? atMost(growth(runs.sesame), 2) : null,
  });
  const panels: Panel[] = [
    {
      title: `Matcher alone: ns per packet vs pending (×${BATCH} / ×1)`,
      unit: "ns/packet",
      groups: matcher.flatMap((m) => [
        { label: `${m.pending / 1000}k ×${BATCH}`, values: { sesame: m.cpuNsPerPacket } },
        { label: `${m.pending / 1000}k ×1`, values: { sesame: m.perPacketCpuNs } },
      ]),
    },
    {
      title: "Whole daemon: CPU per packet vs pending",
      unit: "µs/packet",
      log: true,
      groups: levels.map((level, i) => ({ label: `${level / 1000}k`, values: Object.fromEntries(Object.entries(runs).map(([k, l]) => [k, l[i]?.cpuUsPerPacket !== undefined ? round(l[i]!.cpuUsPerPacket!, 2) : null])) })),
    },
  ];
  const notes = [
    `scaling (a): Matcher capped at the level (newcomers evict the oldest stage-1), the same rounds at every level (spoofed newcomer, a user's 1st, 2nd and 3rd knock level/8 rounds apart, unknown source, unwatched packet: 0.833 events per packet), ≥ 1.25·level rounds timed, fed in reads of ${BATCH} through handleBatch() and one at a time through handle() (the worker hands it each capture read: see "packets per capture read" in section 2), median of interleaved rounds, main-thread CPU (schedstat) after a full GC.`,
    "scaling (b): CPU from /proc/PID/task/*/schedstat (ns) for second-port knocks from pending sources at 2k pps, per packet the daemon logged as Stage 2, minus the daemon's idle CPU rate (measured 3 s before) over the same time; includes capture wake-ups, logging and (Sesame) event writes.",
  ];
  for (const [k, l] of Object.entries(runs)) for (const x of l) if (x.skipped) notes.push(`scaling (b): ${DAEMON_LABELS[k as DaemonKind]} @ ${x.target}: ${x.skipped}`);
  return { name: "scaling", rows, panels, raw: { matcher, daemons: runs }, notes };
}
