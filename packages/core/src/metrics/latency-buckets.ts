/**
 * The firewall call latency histogram the worker keeps and the web's
 * /metrics serves. The worker's heartbeat stats are flat numbers, so the
 * histogram travels as one cumulative count per bucket under
 * `firewallCallMsLe<bound>`, plus `firewallCalls` and `firewallCallMsSum`.
 * Bounds in ms: a call through the persistent `nft -i` session takes
 * ~0.1–1 ms, a spawned `nft -f` or ipset 5–50 ms, a stuck one seconds.
 */
export const FIREWALL_LATENCY_BUCKETS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** The heartbeat stats key of one bucket's cumulative count. */
export function latencyBucketKey(boundMs: number): string {
  return `firewallCallMsLe${boundMs}`;
}

/** Cumulative counts of observed durations, in the shape the heartbeat carries. */
export class LatencyHistogram {
  private readonly counts = new Array<number>(FIREWALL_LATENCY_BUCKETS_MS.length).fill(0);
  private calls = 0;
  private sumMs = 0;

  observe(ms: number): void {
    this.calls++;
    this.sumMs += ms;
    const i = FIREWALL_LATENCY_BUCKETS_MS.findIndex((b) => ms <= b);
    if (i >= 0) this.counts[i]!++;
  }

  /** `firewallCalls`, `firewallCallMsSum` and each bucket's cumulative count. */
  stats(): Record<string, number> {
    const out: Record<string, number> = { firewallCalls: this.calls, firewallCallMsSum: Math.round(this.sumMs * 1000) / 1000 };
    let cumulative = 0;
    FIREWALL_LATENCY_BUCKETS_MS.forEach((b, i) => {
      cumulative += this.counts[i]!;
      out[latencyBucketKey(b)] = cumulative;
    });
    return out;
  }
}

/** Heartbeat stats key prefix of the SPA packets by outcome (`spa:opened`, `spa:bad-hmac`, …). */
export const SPA_OUTCOME_STAT = "spa:";
