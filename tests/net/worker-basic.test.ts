import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { addDoor, addTrusted, knock, startWorker, steps, tempDb, type WorkerHandle } from "./worker-harness";

// The worker end to end: real pcap on veth-s, real nftables in the server
// namespace, real knocks and TCP handshakes from the client namespace. Each
// case knocks from its own client address so cases do not disturb each other.

describe("worker: knocking opens, expires, bans, closes", () => {
  let net: TestNet;
  let service: ChildProcess | undefined;
  let worker: WorkerHandle | undefined;
  let db: ReturnType<typeof tempDb> | undefined;
  const ip = (i: number): string => net.clientExtraIps[i] as string;
  const connects = (port: number, from: string, host = net.serverIp): Promise<boolean> => tcpConnects(net.client, host, port, { timeoutMs: 800, localAddress: from });

  beforeAll(async () => {
    net = await createTestNet({ extraClientIps: 10, tag: "wb" });
    db = tempDb("basic");
    addDoor(db.db, { name: "ssh", sequence: "7101,7102:udp,7103", action: "open", openPorts: "2222", durationSec: 3 });
    addDoor(db.db, { name: "mixed", sequence: "7201:udp,7202,7203:udp", action: "open", openPorts: "2223", durationSec: 60 });
    addDoor(db.db, { name: "close-all", sequence: "7301,7302", action: "close" });
    addDoor(db.db, { name: "decoy", sequence: "7401,7402", action: "ban", durationSec: 60 });
    addTrusted(db.db, `${net.clientExtraIps[5]}/32`);
    // The echo service survives clients that reset right after the handshake (startTcpService does not).
    service = await startEchoService(net.server, [2222, 2223]);
    worker = await startWorker(net.server, db.path);
  }, 60_000);

  afterAll(async () => {
    if (worker) await worker.stop();
    if (service) await stopProcess(service);
    await net?.destroy();
    db?.cleanup();
  });

  it("drops the protected port before a knock, opens it right after the sequence, closes it at expiry", async () => {
    expect(await connects(2222, ip(0))).toBe(false);
    const t0 = Date.now();
    await knock(net.client, { host: net.serverIp, steps: steps("7101,7102:udp,7103"), localAddress: ip(0) });
    const line = await worker!.waitForLine(new RegExp(`${ip(0).replace(/\./g, "\\.")}: ssh: open applied ([\\d.]+) ms`), 3000);
    console.log(`knock-to-open latency (capture timestamp of the last knock → nft done): ${line.split("applied ")[1]}`);
    expect(worker!.grep(new RegExp(`^${ip(0).replace(/\./g, "\\.")}: ssh: (Stage [123]|OPEN SESAME)$`))).toEqual([
      `${ip(0)}: ssh: Stage 1`,
      `${ip(0)}: ssh: Stage 2`,
      `${ip(0)}: ssh: Stage 3`,
      `${ip(0)}: ssh: OPEN SESAME`,
    ]);
    expect(await connects(2222, ip(0))).toBe(true);
    // Other addresses stay out.
    expect(await connects(2222, ip(1))).toBe(false);
    // durationSec 3: closed by the kernel's set timeout.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 3600 - Date.now())));
    expect(await waitFor(async () => !(await connects(2222, ip(0))), 3000, 200)).toBe(true);
  });

  it("does not open on a wrong order", async () => {
    await knock(net.client, { host: net.serverIp, steps: steps("7102:udp,7101,7103"), localAddress: ip(1) });
    await knock(net.client, { host: net.serverIp, steps: steps("7101,7103,7102:udp"), localAddress: ip(1) });
    await new Promise((r) => setTimeout(r, 300));
    expect(await connects(2222, ip(1))).toBe(false);
    expect(worker!.grep(new RegExp(`${ip(1).replace(/\./g, "\\.")}: ssh: OPEN SESAME`))).toEqual([]);
  });

  it("opens on a mixed udp/tcp sequence, only the door's own port", async () => {
    await knock(net.client, { host: net.serverIp, steps: steps("7201:udp,7202,7203:udp"), localAddress: ip(2) });
    expect(await waitFor(() => connects(2223, ip(2)), 2000, 100)).toBe(true);
    expect(await connects(2222, ip(2))).toBe(false);
  });

  it("a close sequence revokes the address's grants", async () => {
    await knock(net.client, { host: net.serverIp, steps: steps("7201:udp,7202,7203:udp"), localAddress: ip(3) });
    expect(await waitFor(() => connects(2223, ip(3)), 2000, 100)).toBe(true);
    await knock(net.client, { host: net.serverIp, steps: steps("7301,7302"), localAddress: ip(3) });
    await worker!.waitForLine(new RegExp(`${ip(3).replace(/\./g, "\\.")}: close-all: closed all grants`), 3000);
    expect(await waitFor(async () => !(await connects(2223, ip(3))), 2000, 100)).toBe(true);
  });

  it("a decoy knock bans the address: the right sequence then does not open", async () => {
    await knock(net.client, { host: net.serverIp, steps: steps("7401,7402"), localAddress: ip(4) });
    await worker!.waitForLine(new RegExp(`${ip(4).replace(/\./g, "\\.")}: decoy: banned for 60 s`), 3000);
    await knock(net.client, { host: net.serverIp, steps: steps("7201:udp,7202,7203:udp"), localAddress: ip(4) });
    await worker!.waitForLine(new RegExp(`${ip(4).replace(/\./g, "\\.")}: mixed: address is banned; not opened`), 3000);
    expect(await connects(2223, ip(4))).toBe(false);
  });

  it("a trusted network connects without knocking and is never banned", async () => {
    expect(await connects(2222, ip(5))).toBe(true);
    await knock(net.client, { host: net.serverIp, steps: steps("7401,7402"), localAddress: ip(5) });
    await worker!.waitForLine(new RegExp(`${ip(5).replace(/\./g, "\\.")}: decoy: decoy knocked from a trusted network; not banned`), 3000);
    expect(await connects(2222, ip(5))).toBe(true);
  });

  it("works over IPv6", async () => {
    expect(await connects(2223, net.clientIp6, net.serverIp6)).toBe(false);
    await knock(net.client, { host: net.serverIp6, steps: steps("7201:udp,7202,7203:udp"), localAddress: net.clientIp6 });
    expect(await waitFor(() => connects(2223, net.clientIp6, net.serverIp6), 2000, 100)).toBe(true);
  });
});
