import { describe, expect, it } from "vitest";
import { grants, isNull } from "@sesame/db";
import { waitFor } from "@sesame/testkit";
import { connectMany, knockLanes, nftSet, steps, useWorkerRig, type KnockSpec } from "./worker-harness";

// 200 knock sequences from 50 source addresses, all in flight at once: every
// address knocks four doors one after another, and the 50 addresses' packets
// interleave on the wire. Every one of them must open.

const DOORS = [
  { name: "d1", sequence: "8101,8102:udp,8103", port: 2301 },
  { name: "d2", sequence: "8201:udp,8202,8203", port: 2302 },
  { name: "d3", sequence: "8301,8302,8303:udp", port: 2303 },
  { name: "d4", sequence: "8401,8402:udp,8403:udp", port: 2304 },
];

describe("worker: many concurrent knockers", () => {
  const rig = useWorkerRig({
    tag: "wl",
    extraClientIps: 50,
    doors: DOORS.map((d) => ({ name: d.name, sequence: d.sequence, action: "open" as const, openPorts: String(d.port), durationSec: 120 })),
    servicePorts: DOORS.map((d) => d.port),
  });

  it("opens all 200 interleaved knocks from 50 addresses", async () => {
    const lanes: KnockSpec[][] = rig.net.clientExtraIps.map((ip) =>
      DOORS.map((d) => ({ host: rig.net.serverIp, steps: steps(d.sequence), localAddress: ip, delayMs: 5, pauseMs: 20 })),
    );
    const before = await connectMany(rig.net.client, rig.net.clientExtraIps.slice(0, 5).map((ip) => ({ host: rig.net.serverIp, port: 2301, localAddress: ip })), 600);
    expect(before).toEqual([false, false, false, false, false]);
    const t0 = Date.now();
    await knockLanes(rig.net.client, lanes);
    console.log(`200 knocks sent in ${Date.now() - t0} ms`);
    expect(await waitFor(async () => ((await nftSet(rig.net.server, "grants4")).match(/ \. tcp \. 230[1-4]/g) ?? []).length === 200, 5000, 200)).toBe(true);
    const targets = rig.net.clientExtraIps.flatMap((ip) => DOORS.map((d) => ({ host: rig.net.serverIp, port: d.port, localAddress: ip })));
    const results = await connectMany(rig.net.client, targets, 3000);
    expect(results.filter(Boolean).length).toBe(200);
    expect(rig.worker!.grep(/OPEN SESAME/)).toHaveLength(200);
    expect(rig.worker!.grep(/invalidated|timeout/)).toEqual([]);
    expect(await waitFor(() => rig.db.db.select().from(grants).where(isNull(grants.closedAt)).all().length === 200, 3000, 100)).toBe(true);
    const latencies = rig.worker!.grep(/open applied/).map((l) => Number(/applied ([\d.]+) ms/.exec(l)?.[1]));
    latencies.sort((a, b) => a - b);
    console.log(`open latency under load: median ${latencies[100]} ms, p95 ${latencies[190]} ms, max ${latencies[199]} ms`);
  });
});
