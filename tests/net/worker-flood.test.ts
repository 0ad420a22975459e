import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { events, workerStatus } from "@sesame/db";
import { spawnIn, stopProcess, waitFor } from "@sesame/testkit";
import { useWorkerRig, type WorkerHandle } from "./worker-harness";

// A spoofed SYN flood on a door's first port (random sources, each one a new
// pending attempt) must not stop a real knock from opening, nor swamp the
// database with stage-1 rows.

describe("worker: spoofed flood on a first port", () => {
  const rig = useWorkerRig({
    tag: "wf",
    extraClientIps: 2,
    doors: [{ name: "ssh", sequence: "9101,9102:udp,9103", action: "open", openPorts: "2252", durationSec: 60, seqTimeoutMs: 20_000 }],
    servicePorts: [2252],
  });
  let flood: ChildProcess | undefined;

  // Registered after the rig's hooks, so it runs before them (vitest runs after-hooks in reverse).
  afterAll(async () => {
    if (flood) await stopProcess(flood, 1000);
  });

  it("opens for a real knocker in the middle of the flood and caps stage-1 records", async () => {
    const w = rig.worker as WorkerHandle;
    // ~20k packets/s for ~3 s, every one from a random source address.
    flood = spawnIn(rig.net.client, ["hping3", "-q", "-S", "-p", "9101", "--rand-source", "-i", "u50", "-c", "60000", rig.net.serverIp]);
    const floodStart = Date.now();
    const floodDone = new Promise<void>((r) => flood!.once("exit", () => r()));
    await new Promise((r) => setTimeout(r, 1000));
    const ip = rig.net.clientExtraIps[0] as string;
    const t0 = Date.now();
    await rig.knock("9101,9102:udp,9103", ip);
    expect(await waitFor(() => rig.connects(2252, ip), 5000, 100)).toBe(true);
    console.log(`opened ${Date.now() - t0} ms after starting the knock, during the flood`);
    await floodDone;
    const floodSeconds = (Date.now() - floodStart) / 1000;
    flood = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.child.exitCode).toBeNull();
    const st = rig.db.db.select().from(workerStatus).get()!.stats!;
    console.log(`after flood: packets=${st.packets} pending=${st.pending} captureDropped=${st.captureDropped} eventsWritten=${st.eventsWritten} eventsDropped=${st.eventsDropped}`);
    expect(st.packets).toBeGreaterThan(20_000);
    expect(st.pending).toBeGreaterThan(10_000);
    const stageRows = rig.db.db.$client.prepare("SELECT count(*) AS n FROM events WHERE kind = 'stage' AND stage = 1").get() as { n: number };
    // 500 per (started) second at most, whatever the packet rate.
    console.log(`flood lasted ${floodSeconds.toFixed(1)} s; ${stageRows.n} stage-1 rows written`);
    expect(stageRows.n).toBeLessThanOrEqual(500 * (Math.ceil(floodSeconds) + 1));
    expect(stageRows.n).toBeLessThan((st.packets ?? 0) / 5);
    expect(rig.db.db.select().from(events).all().some((e) => e.kind === "worker" && /suppressed \d+ stage-1/.test(e.detail ?? ""))).toBe(true);
    expect(rig.db.db.select().from(events).all().filter((e) => e.kind === "open").map((e) => e.ip)).toEqual([ip]);
    expect(w.grep(/suppressed \d+ stage-1 lines/).length).toBeGreaterThan(0);
  });
});
