import { join } from "node:path";
import { startCapture, knockToOpenMs } from "./lib/capture";
import { DAEMON_LABELS, isNative, type DaemonKind } from "./lib/daemons";
import { runKnockers } from "./lib/knocker";
import { atMost, type MeasureOutcome, type Row } from "./lib/report";
import { withDaemon, type BenchContext } from "./lib/session";
import { round, summarize, type Summary } from "./lib/stats";
import { PROTECTED_PORT, SEQUENCE } from "./lib/testbed";

interface LatencyRun {
  knocks: number;
  opened: number;
  /** Server-side: capture of the last knock → first SYN-ACK from the protected port (primary figure). */
  server?: Summary;
  /** Client-side: just before the last knock's connect() → handshake complete. */
  client?: Summary;
  cpuSecondsPerOpen?: number;
  /**
   * Worker only (-D): its own view per open — capture timestamp of the last
   * knock → decision, and → firewall call returned.
   */
  decidedMs?: Summary;
  appliedMs?: Summary;
  /** Per knock: source, client-side ms, server-side ms. */
  samples: { src: string; clientMs: number | null; serverMs: number | null }[];
}

/**
 * Measurement 1 — knock-to-open latency. One knocker per distinct source
 * address, started every gapMs; each sends the sequence (one SYN per port,
 * like `knock`) and then a new connect() to the protected port every 0.2 ms
 * until a handshake completes. tcpdump on the server veth timestamps (ns) the
 * last knock and the first SYN-ACK: that interval is the figure reported. The
 * probe interval bounds the error (≤ ~0.3 ms, the measured probe spacing).
 */
export async function measureLatency(ctx: BenchContext): Promise<MeasureOutcome> {
  const knocks = ctx.quick ? 10 : 50;
  const runs: Partial<Record<DaemonKind, LatencyRun>> = {};
  for (const kind of ctx.daemons) {
    ctx.log(`latency: ${DAEMON_LABELS[kind]}, ${knocks} knocks`);
    runs[kind] = await withDaemon(ctx, kind, { legit: knocks, seqTimeoutSec: 10 }, { debug: isNative(kind) }, async (d, bed) => {
      const cap = await startCapture(bed.net.server, bed.net.serverIf, `tcp and net ${bed.net.subnet}.0.0/16`, join(bed.dir, "latency.pcap"));
      const cpu0 = d.cpuSeconds() ?? 0;
      // 150 ms apart (+0–50 ms jitter so knocks land at every phase of knockd's 50 ms pcap timeout):
      // knockd needs ~50 ms, so knockers rarely overlap and each sees an idle daemon
      const results = await runKnockers(bed, ctx.tools, { sources: bed.legit, gapMs: 150, jitterMs: 50, timeoutMs: 3000, intervalUs: 200 });
      const cpu1 = d.cpuSeconds() ?? cpu0;
      const packets = await cap.stop();
      const server: number[] = [];
      const samples: LatencyRun["samples"] = [];
      for (const r of results) {
        const ms = r.ok ? knockToOpenMs(packets, r.src, SEQUENCE[SEQUENCE.length - 1]!, PROTECTED_PORT) : undefined;
        if (ms !== undefined) server.push(ms);
        samples.push({ src: r.src, clientMs: r.latencyMs === null ? null : round(r.latencyMs, 3), serverMs: ms === undefined ? null : round(ms, 3) });
      }
      const client = results.filter((r) => r.ok).map((r) => r.latencyMs!);
      const opened = results.filter((r) => r.ok).length;
      const legit = new Set(bed.legit);
      const breakdown = [...d.output().matchAll(/^(\S+): \S+: open applied ([\d.]+) ms after the last knock \(decided after ([\d.]+) ms\)/gm)].filter((m) => legit.has(m[1]!));
      return {
        decidedMs: summarize(breakdown.map((m) => Number(m[3]))),
        appliedMs: summarize(breakdown.map((m) => Number(m[2]))),
        knocks: results.length,
        opened,
        server: summarize(server),
        client: summarize(client),
        cpuSecondsPerOpen: opened > 0 ? (cpu1 - cpu0) / opened : undefined,
        samples,
      } satisfies LatencyRun;
    });
  }
  const pick = (f: (r: LatencyRun) => number | undefined): Partial<Record<DaemonKind, number | null>> =>
    Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, f(r) ?? null]));
  const rows: Row[] = [
    { section: "1 latency", metric: "opened / knocks (%)", values: pick((r) => (100 * r.opened) / r.knocks), digits: 0 },
    { section: "1 latency", metric: "median ms (pcap)", values: pick((r) => r.server?.median), target: "≤ 3", met: atMost(runs.sesame?.server?.median, 3) },
    { section: "1 latency", metric: "p90 ms (pcap)", values: pick((r) => r.server?.p90), target: "≤ 6", met: atMost(runs.sesame?.server?.p90, 6) },
    { section: "1 latency", metric: "max ms (pcap)", values: pick((r) => r.server?.max) },
    { section: "1 latency", metric: "median ms (client)", values: pick((r) => r.client?.median) },
    { section: "1 latency", metric: "worker: capture→decided median ms", values: pick((r) => r.decidedMs?.median), digits: 1 },
    { section: "1 latency", metric: "worker: capture→nft done median ms", values: pick((r) => r.appliedMs?.median), digits: 1 },
    { section: "1 latency", metric: "CPU ms per open", values: pick((r) => (r.cpuSecondsPerOpen === undefined ? undefined : r.cpuSecondsPerOpen * 1000)), digits: 1 },
  ];
  const panel = {
    title: `Knock-to-open latency (${knocks} knocks)`,
    unit: "ms",
    groups: (["median", "p90", "max"] as const).map((s) => ({ label: s, values: pick((r) => (r.server ? round(r.server[s], 3) : undefined)) })),
  };
  return {
    name: "latency",
    rows,
    panels: [panel],
    raw: runs,
    notes: [
      "latency: server-side = tcpdump (ns timestamps) on the server veth, last knock SYN → first SYN-ACK of the protected port; the client probes with a fresh connect() every 0.2 ms (measured spacing ~0.3 ms), which bounds the error.",
      "latency: Sesame native runs with -D so it logs its own breakdown per open (pcap timestamp of the last knock → decision → nft returned; 0.1 ms resolution).",
      "latency: knockd and Sesame drop-in run start_command `nft add element inet benchk allow { %IP% }` via sh -c; Sesame native adds the grant to its own nftables set.",
    ],
  };
}
