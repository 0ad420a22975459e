import { describe, expect, it } from "vitest";
import { FIREWALL_LATENCY_BUCKETS_MS, LatencyHistogram, latencyBucketKey } from "./latency-buckets";

describe("LatencyHistogram", () => {
  it("counts each duration in its bucket and the ones above (cumulative), with the sum and the count", () => {
    const h = new LatencyHistogram();
    for (const ms of [0.1, 0.25, 0.3, 7, 7000]) h.observe(ms);
    const s = h.stats();
    expect(s.firewallCalls).toBe(5);
    expect(s.firewallCallMsSum).toBeCloseTo(7007.65, 3);
    expect(s[latencyBucketKey(0.25)]).toBe(2);
    expect(s[latencyBucketKey(0.5)]).toBe(3);
    expect(s[latencyBucketKey(5)]).toBe(3);
    expect(s[latencyBucketKey(10)]).toBe(4);
    // 7 s is past the last bound: only in the count (Prometheus' +Inf bucket).
    expect(s[latencyBucketKey(FIREWALL_LATENCY_BUCKETS_MS.at(-1)!)]).toBe(4);
  });

  it("bounds are increasing (Prometheus requires it)", () => {
    expect([...FIREWALL_LATENCY_BUCKETS_MS].sort((a, b) => a - b)).toEqual([...FIREWALL_LATENCY_BUCKETS_MS]);
  });
});
