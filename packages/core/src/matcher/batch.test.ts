import { describe, expect, it } from "vitest";
import { Matcher } from "./matcher";
import { ACK, HOST4, HOST6, SYN, door, packet } from "@sesame/testkit/fixtures";
import type { Door, KnockPacket } from "../types";

// Whatever the batch boundaries, handleBatch()'s events and counters must be handle()'s.

const DOORS: Door[] = [
  door("ssh", "7000,8000:udp,9000", { seqTimeoutMs: 2_000, tcpFlags: { set: ["syn"], clear: ["ack"] } }),
  door("dup", "7000,7100,7200", { tolerateDuplicates: true, seqTimeoutMs: 3_000 }),
  door("cool", "7300,7400", { cooldownMs: 1_500 }),
  door("once", "", { oneTimeSequences: [[7500, 7600], [7700, 7800], [7500, 7600]].map((ports) => ports.map((port) => ({ port, protocol: "tcp" as const }))) }),
  door("there", "7900,8000:udp", { target: "10.0.0.2" }),
  door("single", "8100"),
];
const PORTS = ["7000", "8000:udp", "9000", "7100", "7200", "7300", "7400", "7500", "7600", "7700", "7800", "7900", "8100", "22", "9000:udp"];

/** A reproducible stream: few sources (so they collide, repeat and evict), both families, odd texts. */
function stream(seed: number, n: number): KnockPacket[] {
  let s = seed >>> 0;
  const r = (m: number): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % m;
  const out: KnockPacket[] = [];
  for (let i = 0; i < n; i++) {
    const k = r(100);
    const src = k < 60 ? `192.0.2.${r(40)}` : k < 85 ? `2001:db8::${r(15).toString(16)}` : k < 92 ? `010.0.0.${r(3)}` : `198.51.100.${r(250)}`;
    const v6 = src.includes(":");
    const dst = v6 ? HOST6 : r(10) === 0 ? "10.0.0.2" : HOST4;
    const p = packet(PORTS[r(PORTS.length)] ?? "7000", src, dst);
    out.push(p.protocol === "tcp" && r(12) === 0 ? { ...p, flags: SYN | ACK } : p);
  }
  return out;
}

function pair(maxAttempts: number): { one: Matcher; batch: Matcher; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const options = { now: () => clock.t, isLocalAddress: (ip: string) => ip === HOST4 || ip === HOST6, maxAttempts };
  return { one: new Matcher(DOORS, options), batch: new Matcher(DOORS, options), clock };
}

describe("Matcher.handleBatch", () => {
  it.each([
    ["roomy", 10_000, 1],
    ["at a small cap (evictions)", 12, 2],
    ["at a cap of one", 1, 3],
  ])("gives handle()'s events and counters whatever the batch sizes (%s)", (_label, maxAttempts, seed) => {
    const { one, batch, clock } = pair(maxAttempts);
    const packets = stream(seed, 20_000);
    let s = seed * 7 + 1;
    const r = (m: number): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % m;
    let batches = 0;
    for (let i = 0; i < packets.length; batches++) {
      const size = r(5) === 0 ? 1 + r(300) : 1 + r(8);
      const chunk = packets.slice(i, i + size);
      i += chunk.length;
      const got = batch.handleBatch(chunk);
      expect(got).toEqual(chunk.map((p) => one.handle(p)));
      clock.t += r(400);
      if (r(4) === 0) expect(batch.expire()).toEqual(one.expire());
      expect(batch.nextDeadline()).toBe(one.nextDeadline());
    }
    expect(batches).toBeGreaterThan(400);
    expect(batch.stats()).toEqual(one.stats());
    const st = one.stats();
    // the stream exercised what it should have
    expect(st.opened).toBeGreaterThan(0);
    if (maxAttempts > 1) expect(st.timeouts).toBeGreaterThan(0); // at a cap of one, eviction comes first
    if (maxAttempts < 100) expect(st.evicted).toBeGreaterThan(0);
  });

  it("follows a one-time door to its next sequence in the middle of a batch", () => {
    const { one, batch } = pair(100);
    const knocks = ["7500", "7600", "7700", "7800", "7500", "7600"].map((k) => packet(k));
    const got = batch.handleBatch(knocks);
    expect(got).toEqual(knocks.map((p) => one.handle(p)));
    // first sequence opens, the index moves on, the second sequence opens in the same read,
    // and the third (a repeat of the first) never does
    expect(got.flat().filter((e) => e.kind === "open-sesame")).toHaveLength(2);
    expect(batch.stats()).toEqual(one.stats());
  });

  it("handles an empty batch and keeps the ACK filter per packet", () => {
    const { one, batch } = pair(100);
    expect(batch.handleBatch([])).toEqual([]);
    const knocks = [packet("7000"), packet("8000:udp"), packet("9000", undefined, undefined, SYN | ACK), packet("9000")];
    expect(batch.handleBatch(knocks)).toEqual(knocks.map((p) => one.handle(p)));
    expect(batch.stats().opened).toBe(1);
    expect(batch.stats()).toEqual(one.stats());
  });
});
