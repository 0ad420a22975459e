import { describe, expect, it } from "vitest";
import type { KnockPacket } from "@sesame/core";
import { CaptureManager, MAX_BATCH, type InterfaceState } from "./capture";
import { FrameDecoder } from "./decode";
import type { InterfaceProbe } from "./net-info";
import type { CaptureSession, RawFrame, SessionOptions } from "./pcap-session";
import { memoryLog } from "./test-support";

// The capture manager's state machine with scripted interfaces and sessions
// (libpcap itself is exercised by tests/net).

class ScriptedSession implements CaptureSession {
  linkType = "LINKTYPE_ETHERNET";
  isBroken = false;
  closed = false;
  /** Frames the kernel already holds for this socket (delivered on drain or poll). */
  held: RawFrame[] = [];
  constructor(readonly opts: SessionOptions) {}
  poll(): void {
    for (const f of this.held.splice(0)) if (!this.closed) this.opts.onFrame(f);
    this.opts.onDispatched();
  }
  drain(): void {
    this.poll();
  }
  stats() {
    return { recv: 3, drop: 1, ifdrop: 0 };
  }
  close(): void {
    this.closed = true;
  }
}

/** Ethernet + IPv4 + UDP to 10.0.0.1:port from 10.0.0.2. */
function frame(port: number, tsUs: number): RawFrame {
  const b = Buffer.alloc(14 + 20 + 8);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(28, 16);
  b[23] = 17;
  b.set([10, 0, 0, 2, 10, 0, 0, 1], 26);
  b.writeUInt16BE(port, 36);
  return { buf: b, caplen: b.length, tsUs };
}

function rig(opts: { failOpens?: number; onBatch?: (cm: CaptureManager, size: number) => void } = {}) {
  const ifaces = new Map<string, InterfaceProbe>();
  const sessions: ScriptedSession[] = [];
  const packets: string[] = [];
  /** Sizes of the batches handed on, and of the batches whose handling returned (in that order). */
  const batches: number[] = [];
  const handled: number[] = [];
  const states: string[] = [];
  let now = 0;
  let failOpens = opts.failOpens ?? 0;
  const openedAt: number[] = [];
  const log = memoryLog();
  const cm = new CaptureManager({
    log,
    now: () => now,
    probe: (name) => ifaces.get(name) ?? { exists: false, up: false, ifindex: 0, carrierChanges: 0, linkType: 0 },
    openSession: (o) => {
      openedAt.push(now);
      if (failOpens > 0) {
        failOpens--;
        throw new Error("permission denied (test)");
      }
      const s = new ScriptedSession(o);
      sessions.push(s);
      return s;
    },
    decoder: new FrameDecoder(),
    sink: {
      handlePackets: (ps: KnockPacket[], _ts: number[], iface: string) => {
        batches.push(ps.length);
        for (const p of ps) packets.push(`${iface}:${p.protocol}/${p.dport}`);
        opts.onBatch?.(cm, ps.length);
        handled.push(ps.length); // this batch's handling is over
      },
    },
    onStateChange: (iface: string, state: InterfaceState) => states.push(`${iface}=${state}`),
  });
  return {
    cm, ifaces, sessions, packets, batches, handled, states, log, openedAt,
    tick: (ms = 1000) => {
      now += ms;
      cm.tick();
    },
    live: () => sessions.filter((s) => !s.closed),
  };
}

const UP = (ifindex = 2, carrierChanges = 2, linkType = 1): InterfaceProbe => ({ exists: true, up: true, ifindex, carrierChanges, linkType });

describe("CaptureManager", () => {
  it("waits for a missing interface, then listens with the current filter", () => {
    const r = rig();
    r.cm.setFilter({ vlan: "udp dst port 7000", plain: "udp dst port 7000" });
    r.cm.setInterfaces(["eth0"]);
    r.tick();
    r.tick();
    expect(r.sessions).toHaveLength(0);
    expect(r.states).toEqual(["eth0=missing"]);
    expect(r.log.lines).toEqual(["error: interface eth0 not found; waiting for it to appear"]);
    r.ifaces.set("eth0", UP());
    r.tick();
    expect(r.sessions.map((s) => [s.opts.iface, s.opts.filter])).toEqual([["eth0", "udp dst port 7000"]]);
    expect(r.states).toEqual(["eth0=missing", "eth0=listening"]);
    r.sessions[0]!.held.push(frame(7000, 1));
    r.sessions[0]!.poll();
    expect(r.packets).toEqual(["eth0:udp/7000"]);
  });

  it("hands on each read's packets together, in order, at most MAX_BATCH at a time", () => {
    const r = rig();
    r.ifaces.set("eth0", UP());
    r.ifaces.set("eth1", UP(3));
    r.cm.setInterfaces(["eth0", "eth1"]);
    const [s0, s1] = r.sessions;
    s0!.held.push(frame(7000, 1), frame(7001, 2), frame(7002, 3));
    s0!.poll();
    expect(r.batches).toEqual([3]);
    s1!.held.push(frame(8000, 4));
    s1!.poll();
    s0!.poll(); // a read with nothing: no batch
    expect(r.batches).toEqual([3, 1]);
    expect(r.packets).toEqual(["eth0:udp/7000", "eth0:udp/7001", "eth0:udp/7002", "eth1:udp/8000"]);
    const n = MAX_BATCH * 2 + 5;
    for (let i = 0; i < n; i++) s0!.held.push(frame(9000 + i, 10 + i));
    s0!.poll();
    expect(r.batches.slice(2)).toEqual([MAX_BATCH, MAX_BATCH, 5]);
    expect(r.packets.slice(4)).toEqual(Array.from({ length: n }, (_, i) => `eth0:udp/${9000 + i}`));
    expect(r.cm.stats().batches).toBe(5);
  });

  it("closes on down, reopens on up, and reopens after a flap or a re-created interface", () => {
    const r = rig();
    r.ifaces.set("eth0", UP(2, 2));
    r.cm.setInterfaces(["eth0"]);
    expect(r.live()).toHaveLength(1);
    r.ifaces.set("eth0", { ...UP(2, 3), up: false });
    r.tick();
    expect(r.live()).toHaveLength(0);
    r.ifaces.set("eth0", UP(2, 4));
    r.tick();
    expect(r.live()).toHaveLength(1);
    // A down/up between two ticks: only the carrier counter tells.
    r.ifaces.set("eth0", UP(2, 6));
    r.tick();
    expect(r.sessions).toHaveLength(3);
    expect(r.live()).toHaveLength(1);
    // Deleted and re-created under the same name: new ifindex.
    r.ifaces.set("eth0", UP(9, 6));
    r.tick();
    expect(r.sessions).toHaveLength(4);
    // Steady state: nothing reopens.
    r.tick();
    r.tick();
    expect(r.sessions).toHaveLength(4);
    expect(r.states).toEqual(["eth0=listening", "eth0=down", "eth0=listening"]);
  });

  it("retries a failing open with a bounded, growing backoff", () => {
    const r = rig({ failOpens: 5 });
    r.ifaces.set("eth0", UP());
    r.cm.setInterfaces(["eth0"]);
    for (let i = 0; i < 40 && r.sessions.length === 0; i++) r.tick(1000);
    // 1 s, doubling, capped at 10 s.
    expect(r.openedAt).toEqual([0, 1000, 3000, 7000, 15000, 25000]);
    expect(r.sessions).toHaveLength(1);
    // One state change logged for the whole failing period, one for recovery.
    expect(r.log.lines).toEqual(["error: cannot capture on eth0: permission denied (test); retrying", "listening on eth0"]);
    expect(r.states).toEqual(["eth0=error", "eth0=listening"]);
  });

  it("swaps the filter without losing or doubling frames", () => {
    const r = rig();
    r.ifaces.set("eth0", UP());
    r.cm.setFilter({ vlan: "A", plain: "a" });
    r.cm.setInterfaces(["eth0"]);
    const old = r.sessions[0]!;
    // Frames 1 and 2 arrived while both sockets existed: the old one still holds them.
    old.held.push(frame(7001, 100), frame(7002, 200));
    r.cm.setFilter({ vlan: "B", plain: "b" });
    const fresh = r.sessions[1]!;
    expect(old.closed).toBe(true);
    expect(fresh.opts.filter).toBe("B");
    // The new socket saw 2 (also delivered by the old one) and then 3.
    fresh.held.push(frame(7002, 200), frame(7003, 300));
    fresh.poll();
    expect(r.packets).toEqual(["eth0:udp/7001", "eth0:udp/7002", "eth0:udp/7003"]);
    r.cm.setFilter({ vlan: "B", plain: "b" });
    expect(r.sessions).toHaveLength(2);
  });

  it("hands on what a filter swap drains after the batch being handled, never inside it", () => {
    let swapped = false;
    const r = rig({
      onBatch: (cm) => {
        if (swapped) return;
        swapped = true;
        // handling this batch changes the filter (a one-time door moved on): the old session drains now
        r.sessions[0]!.held.push(frame(7003, 300));
        cm.setFilter({ vlan: "B", plain: "b" });
        expect(r.batches).toEqual([2]); // nothing handed on while this batch is in hand
      },
    });
    r.ifaces.set("eth0", UP());
    r.cm.setFilter({ vlan: "A", plain: "a" });
    r.cm.setInterfaces(["eth0"]);
    const old = r.sessions[0]!;
    old.held.push(frame(7001, 100), frame(7002, 200));
    old.poll(); // delivers 7001 and 7002; while they are handled, the swap drains 7003
    expect(r.batches).toEqual([2, 1]);
    expect(r.handled).toEqual([2, 1]);
    expect(r.packets).toEqual(["eth0:udp/7001", "eth0:udp/7002", "eth0:udp/7003"]);
  });

  it("keeps the old session when the new filter does not compile", () => {
    const r = rig();
    r.ifaces.set("eth0", UP());
    r.cm.setInterfaces(["eth0"]);
    // The next open throws.
    (r.cm as unknown as { openSession: () => never }).openSession = () => {
      throw new Error("syntax error in filter (test)");
    };
    r.cm.setFilter({ vlan: "broken (", plain: "broken" });
    expect(r.live()).toHaveLength(1);
    expect(r.log.lines.at(-1)).toBe("error: cannot apply new capture filter on eth0: syntax error in filter (test)");
  });

  it("uses the filter without the vlan branch on non-Ethernet links", () => {
    const r = rig();
    r.ifaces.set("eth0", UP());
    r.ifaces.set("wg0", UP(4, 0, 65534));
    r.cm.setFilter({ vlan: "V", plain: "P" });
    r.cm.setInterfaces(["eth0", "wg0"]);
    expect(r.live().map((s) => [s.opts.iface, s.opts.filter])).toEqual([["eth0", "V"], ["wg0", "P"]]);
    r.cm.setFilter({ vlan: "V2", plain: "P2" });
    expect(r.live().map((s) => [s.opts.iface, s.opts.filter])).toEqual([["eth0", "V2"], ["wg0", "P2"]]);
  });

  it("adds and removes interfaces, and sums capture stats across reopened sessions", () => {
    const r = rig();
    r.ifaces.set("eth0", UP());
    r.ifaces.set("eth1", UP(3));
    r.cm.setInterfaces(["eth0", "eth1"]);
    expect(r.live().map((s) => s.opts.iface)).toEqual(["eth0", "eth1"]);
    r.cm.setInterfaces(["eth1"]);
    expect(r.live().map((s) => s.opts.iface)).toEqual(["eth1"]);
    expect(r.cm.stats()).toEqual({ interfaces: { eth1: "listening" }, recv: 3, drop: 1, batches: 0 });
    r.cm.close();
    expect(r.live()).toEqual([]);
  });
});
