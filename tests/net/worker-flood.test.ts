import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, workerStatus } from "@sesame/db";
import { createTestNet, spawnIn, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { addDoor, knock, startWorker, steps, tempDb, type WorkerHandle } from "./worker-harness";

// A spoofed SYN flood on a door's first port (random sources, each one a new
// pending attempt) must not stop a real knock from opening, nor swamp the
// database with stage-1 rows.

describe("worker: spoofed flood on a first port", () => {
  let net: TestNet;
  let service: ChildProcess | undefined;
  let flood: ChildProcess | undefined;
  let worker: WorkerHandle | undefined;
  let db: ReturnType<typeof tempDb>;

  beforeAll(async () => {
    net = await createTestNet({ extraClientIps: 2, tag: "wf" });
    db = tempDb("flood");
    addDoor(db.db, { name: "ssh", sequence: "9101,9102:udp,9103", action: "open", openPorts: "2252", durationSec: 60, seqTimeoutMs: 20_000 });
    service = await startEchoService(net.server, [2252]);
    worker = await startWorker(net.server, db.path);
  }, 60_000);

  afterAll(async () => {
    if (flood) await stopProcess(flood, 1000);
    if (worker) await worker.stop();
    if (service) await stopProcess(service);
    await net?.destroy();
    db?.cleanup();
  });

  it("opens for a real knocker in the middle of the flood and caps stage-1 records", async () => {
    const w = worker as WorkerHandle;
    // ~20k packets/s for ~3 s, every one from a random source address.
    flood = spawnIn(net.client, ["hping3", "-q", "-S", "-p", "9101", "--rand-source", "-i", "u50", "-c", "60000", net.serverIp]);
    const floodStart = Date.now();
    const floodDone = new Promise<void>((r) => flood!.once("exit", () => r()));
    await new Promise((r) => setTimeout(r, 1000));
    const ip = net.clientExtraIps[0] as string;
    const t0 = Date.now();
    await knock(net.client, { host: net.serverIp, steps: steps("9101,9102:udp,9103"), localAddress: ip });
    expect(await waitFor(() => tcpConnects(net.client, net.serverIp, 2252, { timeoutMs: 800, localAddress: ip }), 5000, 100)).toBe(true);
    console.log(`opened ${Date.now() - t0} ms after starting the knock, during the flood`);
    await floodDone;
    const floodSeconds = (Date.now() - floodStart) / 1000;
    flood = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.child.exitCode).toBeNull();
    const st = db.db.select().from(workerStatus).get()!.stats!;
    console.log(`after flood: packets=${st.packets} pending=${st.pending} captureDropped=${st.captureDropped} eventsWritten=${st.eventsWritten} eventsDropped=${st.eventsDropped}`);
    expect(st.packets).toBeGreaterThan(20_000);
    expect(st.pending).toBeGreaterThan(10_000);
    const stageRows = db.db.$client.prepare("SELECT count(*) AS n FROM events WHERE kind = 'stage' AND stage = 1").get() as { n: number };
    // 500 per (started) second at most, whatever the packet rate.
    console.log(`flood lasted ${floodSeconds.toFixed(1)} s; ${stageRows.n} stage-1 rows written`);
    expect(stageRows.n).toBeLessThanOrEqual(500 * (Math.ceil(floodSeconds) + 1));
    expect(stageRows.n).toBeLessThan((st.packets ?? 0) / 5);
    expect(db.db.select().from(events).all().some((e) => e.kind === "worker" && /suppressed \d+ stage-1/.test(e.detail ?? ""))).toBe(true);
    expect(db.db.select().from(events).all().filter((e) => e.kind === "open").map((e) => e.ip)).toEqual([ip]);
    expect(w.grep(/suppressed \d+ stage-1 lines/).length).toBeGreaterThan(0);
  });
});
