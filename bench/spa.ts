import { join } from "node:path";
import { generateSpaKeys } from "@sesame/core/spa";
import { runFloodStep, type FloodStep } from "./flood";
import { spaToOpenMs, startCapture } from "./lib/capture";
import { DAEMON_LABELS, type DaemonKind } from "./lib/daemons";
import { runKnockers } from "./lib/knocker";
import { atLeast, atMost, type MeasureOutcome, type Row } from "./lib/report";
import type { BenchContext } from "./lib/session";
import { SPA_PORT, withSpaDaemon, writeSpaPackets } from "./lib/spa-daemons";
import { round, summarize, type Summary } from "./lib/stats";
import { PROTECTED_PORT } from "./lib/testbed";
import { measureSpaReplay } from "./spa-replay";

interface SpaLatencyRun {
  knocks: number;
  opened: number;
  /** Server-side: capture of the SPA datagram → first SYN-ACK from the protected port (primary figure). */
  server?: Summary;
  client?: Summary;
  cpuSecondsPerOpen?: number;
  samples: { src: string; clientMs: number | null; serverMs: number | null }[];
}

/** The flood cap the knock sections hold Sesame to (peak RSS, MB). */
const RSS_CAP_MB = 200;
const SECTION = "7 spa";

/** `≤ ½ fwknopd's`: null when either figure is missing. */
function halfOf(sesame: number | undefined, fwknopd: number | undefined): boolean | null {
  return sesame === undefined || fwknopd === undefined ? null : sesame <= fwknopd / 2;
}

/**
 * Section 7 — SPA side by side with Debian's fwknopd 2.6.10: (a) SPA→open
 * latency, (b) junk floods on the SPA port with legitimate packets in the
 * middle, (c) the replay cache at 1k and 1M digests (spa-replay.ts). Same
 * key and HMAC key for every daemon; fresh namespaces per run.
 */
export async function measureSpa(ctx: BenchContext): Promise<MeasureOutcome> {
  const keys = generateSpaKeys();
  const knocks = ctx.quick ? 10 : 50;
  // what one legitimate packet weighs: the junk is random base64 of that length
  const payload = writeSpaPackets("/dev/null", keys, ["10.123.45.67"]);
  const lat: Partial<Record<DaemonKind, SpaLatencyRun>> = {};
  for (const kind of ctx.daemons) {
    ctx.log(`spa latency: ${DAEMON_LABELS[kind]}, ${knocks} SPA packets`);
    lat[kind] = await withSpaDaemon(ctx, kind, knocks, keys, {}, async (d, bed) => {
      const cap = await startCapture(bed.net.server, bed.net.serverIf, `(udp dst port ${SPA_PORT} or tcp port ${PROTECTED_PORT}) and net ${bed.net.subnet}.0.0/16`, join(bed.dir, "spa.pcap"));
      const file = join(bed.dir, "latency.spa");
      writeSpaPackets(file, keys, bed.legit);
      const cpu0 = d.cpuSeconds() ?? 0;
      const results = await runKnockers(bed, ctx.tools, { sources: bed.legit, gapMs: 150, jitterMs: 50, timeoutMs: 3000, intervalUs: 200, spa: { file, port: SPA_PORT } });
      const cpu1 = d.cpuSeconds() ?? cpu0;
      const packets = await cap.stop();
      const server: number[] = [];
      const samples: SpaLatencyRun["samples"] = [];
      for (const r of results) {
        const ms = r.ok ? spaToOpenMs(packets, r.src, SPA_PORT, PROTECTED_PORT) : undefined;
        if (ms !== undefined) server.push(ms);
        samples.push({ src: r.src, clientMs: r.latencyMs === null ? null : round(r.latencyMs, 3), serverMs: ms === undefined ? null : round(ms, 3) });
      }
      const ok = results.filter((r) => r.ok);
      return {
        knocks: results.length,
        opened: ok.length,
        server: summarize(server),
        client: summarize(ok.map((r) => r.latencyMs!)),
        cpuSecondsPerOpen: ok.length > 0 ? (cpu1 - cpu0) / ok.length : undefined,
        samples,
      } satisfies SpaLatencyRun;
    });
    const r = lat[kind]!;
    ctx.log(`  opened ${r.opened}/${r.knocks}, median ${r.server?.median.toFixed(2)} ms, p90 ${r.server?.p90.toFixed(2)} ms (pcap)`);
  }

  const rates = [20_000, 100_000];
  const floodKnocks = ctx.quick ? 6 : 20;
  const runInMs = ctx.quick ? 2000 : 5000;
  const flood: Partial<Record<DaemonKind, FloodStep[]>> = {};
  for (const kind of ctx.daemons) {
    flood[kind] = [];
    for (const pps of rates) {
      ctx.log(`spa flood: ${DAEMON_LABELS[kind]}, junk at ${pps / 1000}k pps, ${floodKnocks} SPA packets`);
      const step = await withSpaDaemon(ctx, kind, floodKnocks, keys, {}, async (d, bed) => {
        const file = join(bed.dir, "flood.spa");
        writeSpaPackets(file, keys, bed.legit);
        return runFloodStep(ctx, d, bed, { pps, mix: 1, knocks: floodKnocks, gapMs: 200, timeoutMs: 3000, runInMs, spa: { file, port: SPA_PORT, payload } });
      });
      ctx.log(`  sent ${step.flood.pps.toFixed(0)} pps, opened ${step.opened}/${step.knocks}, processed ${step.handled}, cpu ${step.cpuSeconds.toFixed(2)} s, peak ${(step.hwmMb ?? step.peakRssMb)?.toFixed(1)} MB`);
      flood[kind].push(step);
    }
  }

  const replay = await measureSpaReplay(ctx, keys, payload);

  const pick = (f: (r: SpaLatencyRun) => number | undefined): Partial<Record<DaemonKind, number | null>> =>
    Object.fromEntries(Object.entries(lat).map(([k, r]) => [k, f(r) ?? null]));
  const sesame = lat.sesame;
  const fwk = lat.fwknopd;
  const rows: Row[] = [
    { section: `${SECTION} latency`, metric: "opened / SPA packets (%)", values: pick((r) => (100 * r.opened) / r.knocks), digits: 0, target: "100", met: sesame ? atLeast((100 * sesame.opened) / sesame.knocks, 100) : null },
    { section: `${SECTION} latency`, metric: "median ms (pcap)", values: pick((r) => r.server?.median), target: "≤ ½ fwknopd", met: halfOf(sesame?.server?.median, fwk?.server?.median) },
    { section: `${SECTION} latency`, metric: "p90 ms (pcap)", values: pick((r) => r.server?.p90), target: "≤ ½ fwknopd", met: halfOf(sesame?.server?.p90, fwk?.server?.p90) },
    { section: `${SECTION} latency`, metric: "max ms (pcap)", values: pick((r) => r.server?.max) },
    { section: `${SECTION} latency`, metric: "median ms (client)", values: pick((r) => r.client?.median) },
    { section: `${SECTION} latency`, metric: "CPU ms per open", values: pick((r) => (r.cpuSecondsPerOpen === undefined ? undefined : r.cpuSecondsPerOpen * 1000)), digits: 1 },
  ];
  rates.forEach((pps, i) => {
    const label = `${SECTION} junk ${pps / 1000}k pps`;
    const val = (f: (s: FloodStep) => number | undefined): Partial<Record<DaemonKind, number | null>> =>
      Object.fromEntries(ctx.daemons.map((k) => [k, flood[k]?.[i] ? (f(flood[k]![i]!) ?? null) : undefined]));
    const s = flood.sesame?.[i];
    const openedPct = (x: FloodStep): number => (100 * x.opened) / x.knocks;
    rows.push(
      { section: label, metric: "achieved pps", values: val((x) => x.flood.pps), digits: 0 },
      { section: label, metric: "junk processed (%)", values: val((x) => Math.min(100, (100 * x.handled) / Math.max(1, x.flood.sent))), digits: 0 },
      { section: label, metric: "opened (%)", values: val(openedPct), digits: 0, target: "100", met: s ? atLeast(openedPct(s), 100) : null },
      { section: label, metric: "open latency median ms (client)", values: val((x) => x.latency?.median) },
      { section: label, metric: "daemon CPU seconds", values: val((x) => x.cpuSeconds) },
      { section: label, metric: "CPU µs per junk packet sent", values: val((x) => (1e6 * x.cpuSeconds) / Math.max(1, x.flood.sent)), digits: 1 },
      { section: label, metric: "CPU µs per junk packet processed", values: val((x) => (x.handled > 0 ? (1e6 * x.cpuSeconds) / x.handled : undefined)), digits: 1 },
      { section: label, metric: "capture drops (worker)", values: val((x) => x.workerStats?.captureDropped), digits: 0 },
      { section: label, metric: "peak RSS MB", values: val((x) => x.hwmMb ?? x.peakRssMb), digits: 1, target: `≤ ${RSS_CAP_MB}`, met: s ? atMost(s.hwmMb ?? s.peakRssMb, RSS_CAP_MB) : null },
    );
  });
  rows.push(...replay.rows);
  const panels = [
    {
      title: `SPA → open latency (${knocks} packets)`,
      unit: "ms",
      groups: (["median", "p90", "max"] as const).map((st) => ({ label: st, values: pick((r) => (r.server ? round(r.server[st], 3) : undefined)) })),
    },
    {
      title: "Legitimate SPA opened during a junk flood",
      unit: "% opened",
      groups: rates.map((pps, i) => ({ label: `${pps / 1000}k pps`, values: Object.fromEntries(ctx.daemons.map((k) => [k, flood[k]?.[i] ? round((100 * flood[k]![i]!.opened) / flood[k]![i]!.knocks, 1) : null])) })),
    },
  ];
  return {
    name: "spa",
    rows,
    panels,
    raw: { latency: lat, flood, replay: replay.raw, payloadChars: payload },
    notes: [
      `spa: one key + HMAC key (SHA-256) for all; each legitimate packet is fresh (Sesame's fwknop-compatible encoder, what \`fwknop -a SRC -A tcp/${PROTECTED_PORT}\` sends, ${payload} characters), from its own client address, 150 ms apart + 0–50 ms jitter; latency = tcpdump on the server veth, SPA datagram → first SYN-ACK from tcp/${PROTECTED_PORT} (fresh connect() every 0.2 ms from the client).`,
      "spa: fwknopd runs with Debian's defaults (fwknopd.conf: PCAP_INTF, run dir, digest file only): blocking pcap with a 100 ms timeout, up to 100 packets per pcap_dispatch() then usleep(PCAP_LOOP_SLEEP = 100 ms); its rules go in its FWKNOP_INPUT iptables (nf_tables) chain ahead of the bench's DROP for the port. sesame-fwknopd runs as shipped (bin through tsx, nftables).",
      `spa: junk = pktgen UDP to ${SPA_PORT} from random 100.64.0.0/10 sources, ${payload} random base64 characters each (passes every pre-check, fails the HMAC); knocking starts after ${runInMs / 1000} s of flood; ${floodKnocks} packets 200 ms apart, each given 3 s; "processed" = the worker's SPA packet counter, fwknopd's "received with access source match" log lines (one per datagram past its pre-checks); fwknopd reports no capture drops (n/a).`,
      ...replay.notes,
    ],
  };
}
