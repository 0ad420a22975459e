import type { ChildProcess } from "node:child_process";
import { eq, forwards, workerStatus } from "@sesame/db";
import { createGatewayNet, must, openTcpSession, startEchoService, stopProcess, tcpConnects, waitFor, type GatewayNet } from "@sesame/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDoor, addTrusted, escapeIp, knock, startWorker, steps, tempDb, type TempDb, type WorkerHandle } from "./worker-harness";

// Gateway mode end to end: three namespaces client → gateway → inside. The
// real worker runs on the gateway (pcap on its client side, nftables, IPv4
// and IPv6 forwarding on in that namespace only); the inside server runs an
// echo service; every check is a real TCP handshake from the client. Each
// case knocks from its own client address so they do not disturb each other.

const WEB = 8080; // DNAT on the gateway's address → inside:80
const SSH = 22; // routed: clients address the inside host, the gateway gates it
const WEB6 = 8443; // DNAT on the gateway's IPv6 address → [inside6]:80
const FREE = 2222; // an inside port no forward names: routed untouched

describe("gateway mode: forwarded services behind the worker's host", () => {
  let net: GatewayNet;
  let db: TempDb;
  let service: ChildProcess | undefined;
  let worker: WorkerHandle | undefined;
  const ip = (i: number): string => net.clientExtraIps[i] as string;
  const connects = (host: string, port: number, from?: string): Promise<boolean> => tcpConnects(net.client, host, port, { timeoutMs: 800, localAddress: from });
  const knockFrom = (sequence: string, from: string, host = net.gatewayIp): Promise<void> =>
    knock(net.client, { host, steps: steps(sequence), localAddress: from, family: host.includes(":") ? 6 : 4 });
  const opened = (who: string, door: string): Promise<string> => worker!.waitForLine(new RegExp(`${escapeIp(who)}: ${door}: open applied`), 3000);

  beforeAll(async () => {
    net = await createGatewayNet({ tag: "gw", extraClientIps: 6 });
    db = tempDb("gw");
    addDoor(db.db, { name: "gw", sequence: "7501,7502,7503", action: "open", openPorts: `${WEB},${SSH},${WEB6}`, durationSec: 60 });
    addDoor(db.db, { name: "short", sequence: "7511,7512", action: "open", openPorts: `${WEB},${SSH}`, durationSec: 3 });
    addDoor(db.db, { name: "decoy", sequence: "7601,7602", action: "ban", durationSec: 60 });
    addTrusted(db.db, `${net.clientExtraIps[3]}/32`);
    db.db.insert(forwards).values([
      { name: "web", protocol: "tcp", port: WEB, toAddress: net.insideIp, toPort: 80, dnat: true },
      { name: "ssh", protocol: "tcp", port: SSH, toAddress: net.insideIp, toPort: SSH, dnat: false },
      { name: "web6", protocol: "tcp", port: WEB6, toAddress: net.insideIp6, toPort: 80, dnat: true },
    ]).run();
    service = await startEchoService(net.inside, [80, SSH, FREE]);
    worker = await startWorker(net.gateway, db.path, ["-i", "veth-s", "--heartbeat-ms", "300"]);
  }, 60_000);

  afterAll(async () => {
    if (worker) await worker.stop();
    if (service) await stopProcess(service);
    await net?.destroy();
    db?.cleanup();
  });

  it("the worker installs the forwards and reports that the gateway namespace forwards", async () => {
    expect(worker!.grep(/firewall: nftables ready: .*, 3 forwarded services gated$/)).toHaveLength(1);
    const table = await must(["nft", "list", "table", "inet", "sesame"], { ns: net.gateway });
    expect(table).toContain(`tcp . ${WEB} : ${net.insideIp} . 80`);
    expect(table).toMatch(/type filter hook forward priority filter - 10; policy accept;/);
    expect(table).toMatch(/type nat hook prerouting priority dstnat; policy accept;/);
    const stats = (): Record<string, number> | undefined => db.db.select().from(workerStatus).get()?.stats ?? undefined;
    expect(await waitFor(() => stats()?.forwards === 3, 3000, 100)).toBe(true);
    expect(stats()).toMatchObject({ ipForward: 1, ipForward6: 1 });
  });

  it("before a knock nothing forwarded is reachable, through DNAT or routed; an unforwarded inside port routes as before", async () => {
    const [dnat, routed, direct, free] = await Promise.all([
      connects(net.gatewayIp, WEB, ip(0)),
      connects(net.insideIp, SSH, ip(0)),
      // the DNAT target addressed directly is gated too (by the port the client addressed: no grant names 80)
      connects(net.insideIp, 80, ip(0)),
      connects(net.insideIp, FREE, ip(0)),
    ]);
    expect({ dnat, routed, direct, free }).toEqual({ dnat: false, routed: false, direct: false, free: true });
  });

  it("after the door's knock both open for the knocking address only; a second client address stays out", async () => {
    await knockFrom("7501,7502,7503", ip(0));
    await opened(ip(0), "gw");
    expect(await connects(net.gatewayIp, WEB, ip(0))).toBe(true);
    expect(await connects(net.insideIp, SSH, ip(0))).toBe(true);
    expect(await connects(net.insideIp, 80, ip(0))).toBe(false);
    expect(await connects(net.gatewayIp, WEB, ip(1))).toBe(false);
    expect(await connects(net.insideIp, SSH, ip(1))).toBe(false);
    // and the DNATed session reaches the inside service itself
    const session = await openTcpSession(net.client, net.gatewayIp, WEB, { localAddress: ip(0) });
    try {
      expect(await session.exchange("through the gateway")).toBe(true);
    } finally {
      await session.close();
    }
  });

  it("IPv6: a DNAT forward to an IPv6 inside host opens with a knock over IPv6", async () => {
    expect(await connects(net.gatewayIp6, WEB6, net.clientIp6)).toBe(false);
    await knockFrom("7501,7502,7503", net.clientIp6, net.gatewayIp6);
    await opened(net.clientIp6, "gw");
    expect(await connects(net.gatewayIp6, WEB6, net.clientIp6)).toBe(true);
  });

  it("a banned source cannot: its grant is revoked, and the ban wins over a grant in the kernel", async () => {
    await knockFrom("7501,7502,7503", ip(1));
    await opened(ip(1), "gw");
    expect(await connects(net.gatewayIp, WEB, ip(1))).toBe(true);
    await knockFrom("7601,7602", ip(1));
    await worker!.waitForLine(new RegExp(`${escapeIp(ip(1))}: decoy: banned for 60 s`), 3000);
    expect(await waitFor(async () => !(await connects(net.gatewayIp, WEB, ip(1))), 3000, 100)).toBe(true);
    // A grant element written behind the worker's back: fgate drops banned sources before it looks at grants.
    await must(["nft", "add", "element", "inet", "sesame", "grants4", `{ ${ip(1)} . tcp . ${WEB} timeout 30s, ${ip(1)} . tcp . ${SSH} timeout 30s }`], { ns: net.gateway });
    expect(await connects(net.gatewayIp, WEB, ip(1))).toBe(false);
    expect(await connects(net.insideIp, SSH, ip(1))).toBe(false);
  });

  it("a trusted network reaches both without knocking", async () => {
    expect(await connects(net.gatewayIp, WEB, ip(3))).toBe(true);
    expect(await connects(net.insideIp, SSH, ip(3))).toBe(true);
  });

  it("an established connection survives the grant's expiry; the expiry closes new connections", async () => {
    const t0 = Date.now();
    await knockFrom("7511,7512", ip(2));
    await opened(ip(2), "short");
    const viaDnat = await openTcpSession(net.client, net.gatewayIp, WEB, { localAddress: ip(2) });
    const routed = await openTcpSession(net.client, net.insideIp, SSH, { localAddress: ip(2) });
    try {
      expect(await viaDnat.exchange("before")).toBe(true);
      expect(await routed.exchange("before")).toBe(true);
      // durationSec 3: the kernel's set timeout closes it, with no help from the worker
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + 3600 - Date.now())));
      expect(await waitFor(async () => !(await connects(net.gatewayIp, WEB, ip(2))), 3000, 200)).toBe(true);
      expect(await connects(net.insideIp, SSH, ip(2))).toBe(false);
      expect(await viaDnat.exchange("after expiry")).toBe(true);
      expect(await routed.exchange("after expiry")).toBe(true);
    } finally {
      await viaDnat.close();
      await routed.close();
    }
  });

  it("an admin's edit reaches the kernel: a disabled forward is no longer gated (nor rewritten), enabling it gates again", async () => {
    const from = worker!.lines.length;
    db.db.update(forwards).set({ enabled: false }).where(eq(forwards.name, "ssh")).run();
    await worker!.waitForLine(/^forwards: tcp\/8080 -> .*:80, tcp\/8443 -> \[.*\]:80$/, 3000, from);
    expect(await waitFor(() => connects(net.insideIp, SSH, ip(4)), 2000, 100)).toBe(true);
    expect(await connects(net.gatewayIp, WEB, ip(4))).toBe(false);
    db.db.update(forwards).set({ enabled: true }).where(eq(forwards.name, "ssh")).run();
    await worker!.waitForLine(/^forwards: .*tcp\/22 to /, 3000, from);
    expect(await waitFor(async () => !(await connects(net.insideIp, SSH, ip(4))), 2000, 100)).toBe(true);
  });

  it("no forwards left: the worker removes its forward and nat hooks (a host that is no gateway has none)", async () => {
    const from = worker!.lines.length;
    db.db.update(forwards).set({ enabled: false }).run();
    await worker!.waitForLine(/^forwards: none$/, 3000, from);
    expect(await waitFor(async () => !(await must(["nft", "list", "table", "inet", "sesame"], { ns: net.gateway })).includes("hook forward"), 2000, 100)).toBe(true);
    const table = await must(["nft", "list", "table", "inet", "sesame"], { ns: net.gateway });
    expect(table).not.toContain("hook prerouting");
    expect(await connects(net.insideIp, SSH, ip(5))).toBe(true);
    // nothing is rewritten any more: 8080 is the gateway's own port again (a door's, so protected, and nothing listens)
    expect(await connects(net.gatewayIp, WEB, ip(5))).toBe(false);
  });
});
