import { describe, expect, it } from "vitest";
import { latencyBucketKey } from "@sesame/core";
import { openDb } from "@sesame/db";
import { FirewallQueue } from "./firewall-queue";
import { Health } from "./health";
import { RecordingFirewall, memoryLog } from "./test-support";
import { WriteBehind } from "./write-behind";

describe("FirewallQueue: call latency for /metrics", () => {
  it("times every attempt (a failed one and its retry too) into the histogram the heartbeat carries", async () => {
    const fw = new RecordingFirewall();
    const writer = new WriteBehind({ db: openDb(":memory:", { migrate: true }) });
    const queue = new FirewallQueue(fw, { writer, health: new Health(Date.now), log: memoryLog(), now: Date.now, retryDelayMs: 1 });
    await queue.run("quick", { ts: 0 }, (b) => b.grant("192.0.2.1", [{ port: 22, protocol: "tcp" }], 30));
    await queue.run("slow", { ts: 0 }, () => new Promise((r) => setTimeout(r, 130)));
    fw.failures.ban = 1;
    await queue.run("ban", { ts: 0 }, (b) => b.ban("192.0.2.2", 30));
    const s = queue.stats();
    expect(s.firewallCalls).toBe(4);
    expect(s.firewallErrors).toBe(1);
    expect(s[latencyBucketKey(100)]).toBe(3);
    expect(s[latencyBucketKey(250)]).toBe(4);
    expect(s.firewallCallMsSum).toBeGreaterThanOrEqual(120);
  });
});
