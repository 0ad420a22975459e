import { SPA_OUTCOME_STAT, type Matcher } from "@sesame/core";
import type { CaptureManager } from "./capture";
import type { CommandRunner } from "./commands";
import type { FrameDecoder } from "./decode";
import type { Decisions } from "./decisions";
import type { FirewallQueue } from "./firewall-queue";
import { readIpForward } from "./ip-forward";
import type { BanLedger, GrantLedger } from "./ledger";
import type { Reloader } from "./reload";
import type { SpaVerifier } from "./spa-verifier";
import type { WriteBehind } from "./write-behind";

/** The modules whose counters the heartbeat carries; each is asked through its own method. */
export interface StatsSources {
  capture: CaptureManager;
  decoder: FrameDecoder;
  matcher: Matcher;
  decisions: Decisions;
  grants: GrantLedger;
  bans: BanLedger;
  queue: FirewallQueue;
  writer: WriteBehind;
  commands: CommandRunner;
  reloader: Reloader;
  spa?: SpaVerifier;
  /** Gateway mode's forwards the firewall holds. */
  forwards?: () => number;
  /** Where /proc is (tests); default /proc. */
  procRoot?: string;
}

/** The counters the UI shows (flat numbers: workerStatus.stats). */
export function collectStats(s: StatsSources): Record<string, number> {
  const m = s.matcher.stats();
  const c = s.capture.stats();
  const d = s.decoder.stats();
  const w = s.writer.stats();
  const e = s.decisions.stats();
  const mem = process.memoryUsage();
  const spa = s.spa?.stats();
  return {
    ...(spa ? { spaPackets: spa.packets, spaOpened: spa.opened, spaRefused: spa.refused, spaReplayCache: spa.replayCache } : {}),
    // one key per SPA outcome seen (`spa:bad-hmac`, …): /metrics' sesame_spa_packets_total{outcome}
    ...(spa ? Object.fromEntries(Object.entries(spa.outcomes).map(([o, n]) => [`${SPA_OUTCOME_STAT}${o}`, n])) : {}),
    packets: e.packets,
    pending: m.pending,
    maxAttempts: s.matcher.attemptCap,
    evicted: m.evicted,
    ignored: m.ignored,
    opened: m.opened,
    timeouts: m.timeouts,
    malformed: d.malformed,
    skipped: d.skipped,
    captureReceived: c.recv,
    captureDropped: c.drop,
    captureBatches: c.batches,
    interfacesListening: Object.values(c.interfaces).filter((st) => st === "listening").length,
    eventsWritten: w.eventsWritten,
    eventsDropped: w.eventsDropped + w.criticalDropped,
    eventsPending: s.writer.pending,
    dbBusyRetries: w.busyRetries,
    grantsOpen: s.grants.size,
    bansActive: s.bans.size,
    ...s.queue.stats(),
    lastOpenLatencyMs: e.lastOpenLatencyMs,
    maxOpenLatencyMs: e.maxOpenLatencyMs,
    commandsRunning: s.commands.runningCount,
    reloads: s.reloader.stats().reloads,
    forwards: s.forwards?.() ?? 0,
    // gateway mode: whether the kernel routes at all (the UI warns when a forward exists and it does not)
    ...readIpForward(s.procRoot),
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
  };
}
