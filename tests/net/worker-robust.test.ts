import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eq, events, openDb, workerStatus } from "@sesame/db";
import { must, run, waitFor } from "@sesame/testkit";
import { escapeIp, useWorkerRig, type WorkerHandle } from "./worker-harness";

// The worker keeps working through what breaks knockd: interfaces going
// down, garbage on the wire, a locked database, an interface that is not
// there yet.

const RAW_FRAMES = join(import.meta.dirname, "fixtures/raw-frames.py");

describe("worker: robustness", () => {
  const rig = useWorkerRig({
    tag: "wr",
    extraClientIps: 10,
    doors: [{ name: "ssh", sequence: "7901,7902:udp,7903", action: "open", openPorts: "2242", durationSec: 60 }],
    servicePorts: [2242],
  });
  const { ip, connects } = rig;

  it("survives the interface going down and up (slowly, and in one quick flap)", async () => {
    const w = rig.worker as WorkerHandle;
    let from = w.lines.length;
    await must(["ip", "link", "set", "veth-s", "down"], { ns: rig.net.server });
    await w.waitForLine(/interface veth-s is down/, 3000, from);
    await new Promise((r) => setTimeout(r, 1200));
    await must(["ip", "link", "set", "veth-s", "up"], { ns: rig.net.server });
    await w.waitForLine(/^listening on veth-s/, 3000, from);
    await rig.knock("7901,7902:udp,7903", ip(0));
    expect(await waitFor(() => connects(2242, ip(0)), 3000, 100)).toBe(true);

    // Down and up faster than any poll: the old packet socket goes deaf; the worker must notice.
    from = w.lines.length;
    await must(["ip", "-batch", "-"], { ns: rig.net.server, input: "link set veth-s down\nlink set veth-s up\n" });
    await new Promise((r) => setTimeout(r, 1500));
    await rig.knock("7901,7902:udp,7903", ip(1));
    expect(await waitFor(() => connects(2242, ip(1)), 3000, 100)).toBe(true);
    expect(w.child.exitCode).toBeNull();
  });

  it("does not crash on truncated and garbage frames, and counts them", async () => {
    const w = rig.worker as WorkerHandle;
    const mac = JSON.parse(await must(["ip", "-j", "link", "show", "veth-s"], { ns: rig.net.server }))[0].address as string;
    const out = await must(["python3", RAW_FRAMES, "veth-c", mac, ip(2), rig.net.serverIp, rig.net.clientIp6, rig.net.serverIp6, "7901"], { ns: rig.net.client });
    expect(out).toMatch(/sent \d+/);
    // Real truncated traffic too: TCP split into 8-byte IP fragments (the first carries half a TCP header).
    const h = await run(["hping3", "-c", "3", "-i", "u20000", "-S", "-f", "-p", "7901", "-a", ip(2), rig.net.serverIp], { ns: rig.net.client, timeoutMs: 10_000 });
    expect(h.stderr + h.stdout).toMatch(/packets transmitted|HPING/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.child.exitCode).toBeNull();
    const st = rig.db.db.select().from(workerStatus).get();
    console.log(`decoder stats after garbage: malformed=${st?.stats?.malformed} skipped=${st?.stats?.skipped}`);
    expect(st?.stats?.malformed ?? 0).toBeGreaterThan(0);
    // Still matching real knocks afterwards.
    await rig.knock("7901,7902:udp,7903", ip(3));
    expect(await waitFor(() => connects(2242, ip(3)), 3000, 100)).toBe(true);
  });

  it("loses no open event while another process holds the database write lock for 3 s", async () => {
    const w = rig.worker as WorkerHandle;
    const holder = openDb(rig.db.path, {});
    try {
      holder.$client.exec("BEGIN IMMEDIATE");
      const lockedAt = Date.now();
      await rig.knock("7901,7902:udp,7903", ip(4));
      // The firewall does not wait for the database.
      expect(await waitFor(() => connects(2242, ip(4)), 2000, 100)).toBe(true);
      await w.waitForLine(new RegExp(`${escapeIp(ip(4))}: ssh: open applied`), 2000);
      expect(rig.db.db.select().from(events).where(eq(events.ip, ip(4))).all()).toEqual([]);
      await new Promise((r) => setTimeout(r, Math.max(0, lockedAt + 3000 - Date.now())));
    } finally {
      holder.$client.exec("COMMIT");
      holder.$client.close();
    }
    expect(await waitFor(() => rig.db.db.select().from(events).where(eq(events.ip, ip(4))).all().some((e) => e.kind === "open"), 2000, 50)).toBe(true);
    const kinds = rig.db.db.select().from(events).where(eq(events.ip, ip(4))).orderBy(events.id).all().map((e) => `${e.kind}${e.stage ?? ""}`);
    expect(kinds).toEqual(["stage1", "stage2", "stage3", "open"]);
    const st = rig.db.db.select().from(workerStatus).get();
    expect(st?.stats?.dbBusyRetries ?? 0).toBeGreaterThan(0);
    expect(w.child.exitCode).toBeNull();
  });
});

describe("worker: missing interface", () => {
  const rig = useWorkerRig({
    tag: "wm",
    doors: [{ name: "ssh", sequence: "7911,7912", action: "open", openPorts: "2243", durationSec: 60 }],
    start: false,
  });

  it("stays alive with lastError set, and starts listening when the interface appears", async () => {
    const worker = await rig.start(["-i", "sesame9"], [/firewall: \w+ ready/, /interface sesame9 not found/]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.child.exitCode).toBeNull();
    expect(await waitFor(() => (rig.db.db.select().from(workerStatus).get()?.lastError ?? "").includes("sesame9"), 3000, 100)).toBe(true);
    await must(["ip", "link", "add", "sesame9", "type", "veth", "peer", "name", "sesame9p"], { ns: rig.net.server });
    await must(["ip", "link", "set", "sesame9", "up"], { ns: rig.net.server });
    await worker.waitForLine(/^listening on sesame9/, 3000);
    expect(await waitFor(() => rig.db.db.select().from(workerStatus).get()?.lastError === null, 3000, 100)).toBe(true);
  });
});

describe("worker: default-route interface", () => {
  const rig = useWorkerRig({
    tag: "wd",
    doors: [{ name: "ssh", sequence: "7921,7922", action: "open", openPorts: "2244", durationSec: 60 }],
    start: false,
  });

  it("without -i waits for a default route, then listens on its interface", async () => {
    const worker = await rig.start([], [/firewall: \w+ ready/, /no default route/]);
    expect(await waitFor(() => (rig.db.db.select().from(workerStatus).get()?.lastError ?? "").includes("no default route"), 3000, 100)).toBe(true);
    await must(["ip", "route", "add", "default", "via", rig.net.clientIp, "dev", "veth-s"], { ns: rig.net.server });
    await worker.waitForLine(/^listening on veth-s/, 3000);
    await rig.knock("7921,7922");
    await worker.waitForLine(/ssh: OPEN SESAME/, 3000);
  });
});
