import { describe, expect, it } from "vitest";
import { waitFor } from "@sesame/testkit";
import { escapeIp, useWorkerRig } from "./worker-harness";

// The worker end to end: real pcap on veth-s, real nftables in the server
// namespace, real knocks and TCP handshakes from the client namespace. Each
// case knocks from its own client address so cases do not disturb each other.

describe("worker: knocking opens, expires, bans, closes", () => {
  const rig = useWorkerRig({
    tag: "wb",
    extraClientIps: 10,
    doors: [
      { name: "ssh", sequence: "7101,7102:udp,7103", action: "open", openPorts: "2222", durationSec: 3 },
      { name: "mixed", sequence: "7201:udp,7202,7203:udp", action: "open", openPorts: "2223", durationSec: 60 },
      { name: "close-all", sequence: "7301,7302", action: "close" },
      { name: "decoy", sequence: "7401,7402", action: "ban", durationSec: 60 },
    ],
    trusted: (net) => [`${net.clientExtraIps[5]}/32`],
    // The echo service survives clients that reset right after the handshake (startTcpService does not).
    servicePorts: [2222, 2223],
  });
  const { ip, connects } = rig;

  it("drops the protected port before a knock, opens it right after the sequence, closes it at expiry", async () => {
    expect(await connects(2222, ip(0))).toBe(false);
    const t0 = Date.now();
    await rig.knock("7101,7102:udp,7103", ip(0));
    const line = await rig.worker!.waitForLine(new RegExp(`${escapeIp(ip(0))}: ssh: open applied ([\\d.]+) ms`), 3000);
    console.log(`knock-to-open latency (capture timestamp of the last knock → nft done): ${line.split("applied ")[1]}`);
    expect(rig.worker!.grep(new RegExp(`^${escapeIp(ip(0))}: ssh: (Stage [123]|OPEN SESAME)$`))).toEqual([
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
    await rig.knock("7102:udp,7101,7103", ip(1));
    await rig.knock("7101,7103,7102:udp", ip(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(await connects(2222, ip(1))).toBe(false);
    expect(rig.worker!.grep(new RegExp(`${escapeIp(ip(1))}: ssh: OPEN SESAME`))).toEqual([]);
  });

  it("opens on a mixed udp/tcp sequence, only the door's own port", async () => {
    await rig.knock("7201:udp,7202,7203:udp", ip(2));
    expect(await waitFor(() => connects(2223, ip(2)), 2000, 100)).toBe(true);
    expect(await connects(2222, ip(2))).toBe(false);
  });

  it("a close sequence revokes the address's grants", async () => {
    await rig.knock("7201:udp,7202,7203:udp", ip(3));
    expect(await waitFor(() => connects(2223, ip(3)), 2000, 100)).toBe(true);
    await rig.knock("7301,7302", ip(3));
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(ip(3))}: close-all: closed all grants`), 3000);
    expect(await waitFor(async () => !(await connects(2223, ip(3))), 2000, 100)).toBe(true);
  });

  it("a decoy knock bans the address: the right sequence then does not open", async () => {
    await rig.knock("7401,7402", ip(4));
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(ip(4))}: decoy: banned for 60 s`), 3000);
    await rig.knock("7201:udp,7202,7203:udp", ip(4));
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(ip(4))}: mixed: address is banned; not opened`), 3000);
    expect(await connects(2223, ip(4))).toBe(false);
  });

  it("a trusted network connects without knocking and is never banned", async () => {
    expect(await connects(2222, ip(5))).toBe(true);
    await rig.knock("7401,7402", ip(5));
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(ip(5))}: decoy: decoy knocked from a trusted network; not banned`), 3000);
    expect(await connects(2222, ip(5))).toBe(true);
  });

  it("works over IPv6", async () => {
    expect(await connects(2223, rig.net.clientIp6, rig.net.serverIp6)).toBe(false);
    await rig.knock("7201:udp,7202,7203:udp", rig.net.clientIp6, rig.net.serverIp6);
    expect(await waitFor(() => connects(2223, rig.net.clientIp6, rig.net.serverIp6), 2000, 100)).toBe(true);
  });
});
