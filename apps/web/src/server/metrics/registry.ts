import "server-only";
import { FIREWALL_LATENCY_BUCKETS_MS, SPA_OUTCOME_STAT, latencyBucketKey } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { getWorkerHealth, type WorkerHealth } from "../queries/worker-status";
import { EventKindCounts } from "./event-counts";

/**
 * What /metrics serves, built once per process with prom-client. Each scrape
 * reads a snapshot (the worker's heartbeat row, new events by kind, open
 * grants and active bans, each an indexed lookup) and the collectors below
 * turn it into samples; no full-table count runs per scrape.
 */

interface Snapshot {
  health: WorkerHealth;
  events: ReadonlyMap<string, number>;
  grantsOpen: number;
  bansActive: number;
}

/** Knock outcomes among the event kinds (the matcher's). SPA outcomes come from the worker's heartbeat. */
const KNOCK_KINDS = new Set(["stage", "open", "timeout", "invalid", "duplicate", "cooldown", "evicted"]);

/** Heartbeat counters (since the worker started): stats key → metric name and help. */
const WORKER_COUNTERS: [string, string, string][] = [
  ["packets", "sesame_worker_packets_total", "Packets the worker's recognizers saw."],
  ["opened", "sesame_worker_knock_opens_total", "Knock sequences completed (matcher)."],
  ["evicted", "sesame_worker_attempts_evicted_total", "Pending attempts evicted at the cap."],
  ["captureReceived", "sesame_worker_capture_received_total", "Packets libpcap received."],
  ["captureDropped", "sesame_worker_capture_dropped_total", "Packets libpcap dropped (buffer full)."],
  ["malformed", "sesame_worker_frames_malformed_total", "Frames the decoder could not read."],
  ["eventsWritten", "sesame_worker_events_written_total", "Event rows written to the database."],
  ["eventsDropped", "sesame_worker_events_dropped_total", "Event rows dropped (write queue full or database locked)."],
  ["dbBusyRetries", "sesame_worker_db_busy_retries_total", "Database writes retried because the database was busy."],
  ["firewallErrors", "sesame_worker_firewall_errors_total", "Failed firewall calls (each attempt)."],
];

/** Heartbeat gauges: stats key → metric name and help. */
const WORKER_GAUGES: [string, string, string][] = [
  ["pending", "sesame_worker_pending_attempts", "Knock attempts in progress."],
  ["maxAttempts", "sesame_worker_max_attempts", "The pending-attempt cap."],
  ["eventsPending", "sesame_worker_db_write_queue", "Rows waiting in the worker's database write queue."],
  ["grantsOpen", "sesame_worker_grants_open", "Grants the worker holds in the kernel."],
  ["bansActive", "sesame_worker_bans_active", "Bans the worker holds in the kernel."],
  ["interfacesListening", "sesame_worker_interfaces_listening", "Interfaces being captured on."],
  ["commandsRunning", "sesame_worker_commands_running", "knockd-style commands running."],
  ["rssBytes", "sesame_worker_resident_memory_bytes", "The worker's resident memory."],
  ["heapUsedBytes", "sesame_worker_heap_used_bytes", "The worker's V8 heap in use."],
  ["forwards", "sesame_worker_forwards", "Gateway mode's forwarded services the worker holds in the kernel."],
  ["ipForward", "sesame_worker_ip_forward", "net.ipv4.ip_forward where the worker runs (1 on, 0 off, -1 unreadable)."],
  ["ipForward6", "sesame_worker_ip6_forward", "net.ipv6.conf.all.forwarding where the worker runs (1 on, 0 off, -1 unreadable)."],
];

const FIREWALL_HISTOGRAM = "sesame_worker_firewall_call_duration_seconds";
const HISTOGRAM_HELP = "Firewall backend call latency (each attempt), as the worker measured it.";

/** The worker's histogram, sent as cumulative bucket counts in its heartbeat: served as they are. */
class ReportedHistogram extends Histogram<string> {
  constructor(private readonly read: () => Record<string, number> | null) {
    super({ name: FIREWALL_HISTOGRAM, help: HISTOGRAM_HELP, buckets: FIREWALL_LATENCY_BUCKETS_MS.map((b) => b / 1000) });
  }

  /**
   * What the registry formats (prom-client asks a histogram for this, and
   * its get() builds on it): the worker's counts instead of observations.
   */
  async getForPromString() {
    const base = { name: FIREWALL_HISTOGRAM, help: HISTOGRAM_HELP, type: "histogram", aggregator: "sum" };
    const stats = this.read();
    if (!stats) return { ...base, values: [] };
    const count = stats.firewallCalls ?? 0;
    const values = [
      ...FIREWALL_LATENCY_BUCKETS_MS.map((b) => ({ metricName: `${FIREWALL_HISTOGRAM}_bucket`, labels: { le: b / 1000 }, value: stats[latencyBucketKey(b)] ?? 0 })),
      { metricName: `${FIREWALL_HISTOGRAM}_bucket`, labels: { le: "+Inf" }, value: count },
      { metricName: `${FIREWALL_HISTOGRAM}_sum`, labels: {}, value: (stats.firewallCallMsSum ?? 0) / 1000 },
      { metricName: `${FIREWALL_HISTOGRAM}_count`, labels: {}, value: count },
    ];
    return { ...base, values };
  }
}

export class SesameMetrics {
  readonly registry = new Registry();
  private snapshot: Snapshot | null = null;
  private readonly events = new EventKindCounts();

  constructor() {
    const r = this.registry;
    // Collectors run with `this` = their metric; the scrape's snapshot is reached through this closure.
    const snap = (): Snapshot | null => this.snapshot;
    const stat = (key: string): number | undefined => snap()?.health.stats?.[key];
    collectDefaultMetrics({ register: r, prefix: "sesame_web_" });
    // Gauges named *_total (prom-client's naming, which `promtool check metrics` rejects); the rest stays.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) r.removeSingleMetric(`sesame_web_${name}`);
    const kindCounter = (name: string, help: string, label: string, pick: (kind: string) => string | null) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers: [r],
        collect: function () {
          this.reset();
          for (const [kind, n] of snap()?.events ?? []) {
            const value = pick(kind);
            if (value !== null) this.inc({ [label]: value }, n);
          }
        },
      });
    kindCounter("sesame_events_total", "Events written since the web app started, by kind.", "kind", (k) => k);
    kindCounter("sesame_knocks_total", "Knock outcomes since the web app started (stage, open, timeout, invalid, …).", "outcome", (k) => (KNOCK_KINDS.has(k) ? k : null));
    // From the worker's counts, not the events table: junk SPA packets are counted there but get no row each.
    new Counter({
      name: "sesame_spa_packets_total",
      help: "SPA packets the worker checked since it started, by outcome (opened, replayed, bad-hmac, too-old, …).",
      labelNames: ["outcome"],
      registers: [r],
      collect: function () {
        this.reset();
        for (const [key, n] of Object.entries(snap()?.health.stats ?? {})) {
          if (key.startsWith(SPA_OUTCOME_STAT)) this.inc({ outcome: key.slice(SPA_OUTCOME_STAT.length) }, Math.max(0, n));
        }
      },
    });
    const oneKind = (name: string, help: string, kind: string) =>
      new Counter({ name, help, registers: [r], collect: function () { this.reset(); this.inc(snap()?.events.get(kind) ?? 0); } });
    oneKind("sesame_opens_total", "Accesses opened (OPEN SESAME) since the web app started.", "open");
    oneKind("sesame_bans_total", "Addresses banned since the web app started.", "ban");
    new Gauge({ name: "sesame_grants_open", help: "Open grants (database).", registers: [r], collect: function () { this.set(snap()?.grantsOpen ?? 0); } });
    new Gauge({ name: "sesame_bans_active", help: "Active bans (database).", registers: [r], collect: function () { this.set(snap()?.bansActive ?? 0); } });
    new Gauge({ name: "sesame_worker_up", help: "1 while the worker's heartbeat is fresh.", registers: [r], collect: function () { const s = snap()?.health.state; this.set(s === "applied" || s === "pending" ? 1 : 0); } });
    new Gauge({ name: "sesame_worker_config_applied", help: "1 when the worker has applied the saved configuration.", registers: [r], collect: function () { this.set(snap()?.health.state === "applied" ? 1 : 0); } });
    new Gauge({
      name: "sesame_worker_heartbeat_age_seconds",
      help: "Seconds since the worker's last heartbeat (+Inf: it never ran).",
      registers: [r],
      collect: function () {
        const age = snap()?.health.heartbeatAgeMs;
        this.set(age == null ? Number.POSITIVE_INFINITY : age / 1000);
      },
    });
    for (const [key, name, help] of WORKER_COUNTERS) {
      new Counter({ name, help, registers: [r], collect: function () { this.reset(); this.inc(Math.max(0, stat(key) ?? 0)); } });
    }
    for (const [key, name, help] of WORKER_GAUGES) {
      new Gauge({ name, help, registers: [r], collect: function () { this.reset(); const v = stat(key); if (v !== undefined) this.set(v); } });
    }
    r.registerMetric(new ReportedHistogram(() => this.snapshot?.health.stats ?? null));
  }

  /** The Prometheus text for one scrape. */
  async scrape(db: SesameDb, now = Date.now()): Promise<string> {
    const client = db.$client;
    this.snapshot = {
      health: getWorkerHealth(db, now),
      events: this.events.update(db),
      grantsOpen: (client.prepare("SELECT count(*) AS n FROM grants WHERE closed_at IS NULL AND expires_at > ?").get(now) as { n: number }).n,
      bansActive: (client.prepare("SELECT count(*) AS n FROM bans WHERE lifted_at IS NULL AND expires_at > ?").get(now) as { n: number }).n,
    };
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const globalForMetrics = globalThis as unknown as { sesameMetrics?: SesameMetrics };

/** One registry per process (Next may load this module more than once). */
export function getMetrics(): SesameMetrics {
  globalForMetrics.sesameMetrics ??= new SesameMetrics();
  return globalForMetrics.sesameMetrics;
}
