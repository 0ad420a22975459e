import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, must, run, startTcpdumpCapture, type CapturedPacket, type TestNet } from "@sesame/testkit";

// Real knocks between two namespaces, watched with tcpdump on the server's
// veth: what matters to knockd (and Sesame's worker) is what is on the wire.

const BIN = fileURLToPath(new URL("../bin/knock.js", import.meta.url));
const RUNNER = fileURLToPath(new URL("./knock-from.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

let net: TestNet;

beforeAll(async () => {
  net = await createTestNet({ extraClientIps: 2, tag: "kn" });
});
afterAll(async () => {
  await net?.destroy();
});

type Impl = "sesame" | "debian";
const IMPLS: Impl[] = ["sesame", "debian"];

/** Run a knock client in the client namespace and capture what reaches the server. */
async function knockAndCapture(impl: Impl, args: string[], expected: number, settleMs?: number) {
  const capture = await startTcpdumpCapture(net.server, net.serverIf);
  const argv = impl === "sesame" ? ["node", BIN, ...args] : ["knock", ...args];
  const started = Date.now();
  const result = await run(argv, { ns: net.client, timeoutMs: 20_000 });
  const elapsedMs = Date.now() - started;
  const toServer = (p: CapturedPacket) => p.dst === net.serverIp || p.dst === net.serverIp6;
  if (settleMs) await new Promise((res) => setTimeout(res, settleMs));
  // Expecting nothing: give stray packets time to show up instead of returning at once.
  const packets = await capture.stop({ keep: toServer, count: expected || undefined });
  return { ...result, elapsedMs, packets };
}

/** The part of a packet that a knock consists of. */
function shape(p: CapturedPacket) {
  return { family: p.family, src: p.src, protocol: p.protocol, dport: p.dport, flags: p.flags, length: p.length };
}

function syn(dport: number, src: string, family: 4 | 6 = 4) {
  return { family, src, protocol: "tcp", dport, flags: "S", length: 0 };
}
function datagram(dport: number, src: string, family: 4 | 6 = 4) {
  return { family, src, protocol: "udp", dport, flags: "", length: 1 };
}

function gaps(packets: CapturedPacket[]): number[] {
  return packets.slice(1).map((p, i) => p.atMs - packets[i]!.atMs);
}

describe.each(IMPLS)("%s knock on the wire", (impl) => {
  it("sends one SYN per TCP port and one 1-byte datagram per UDP port, in order", async () => {
    const r = await knockAndCapture(impl, ["-v", net.serverIp, "7000", "8000:udp", "9000"], 3);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`hitting tcp ${net.serverIp}:7000\nhitting udp ${net.serverIp}:8000\nhitting tcp ${net.serverIp}:9000\n`);
    expect(r.packets.map(shape)).toEqual([syn(7000, net.clientIp), datagram(8000, net.clientIp), syn(9000, net.clientIp)]);
    // No handshake wait: the closed ports' RSTs don't pace the sequence.
    expect(r.packets.at(-1)!.atMs - r.packets[0]!.atMs).toBeLessThan(250);
  });

  it("-u sends every hit as UDP, an explicit :tcp included", async () => {
    const r = await knockAndCapture(impl, ["-u", "-v", net.serverIp, "7000", "8000:tcp"], 2);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`hitting udp ${net.serverIp}:7000\nhitting udp ${net.serverIp}:8000\n`);
    expect(r.packets.map(shape)).toEqual([datagram(7000, net.clientIp), datagram(8000, net.clientIp)]);
  });

  it("-6 knocks over IPv6", async () => {
    const r = await knockAndCapture(impl, ["-6", "-v", net.serverIp6, "7000", "8000:udp", "9000"], 3);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`hitting tcp ${net.serverIp6}:7000\nhitting udp ${net.serverIp6}:8000\nhitting tcp ${net.serverIp6}:9000\n`);
    expect(r.packets.map(shape)).toEqual([syn(7000, net.clientIp6, 6), datagram(8000, net.clientIp6, 6), syn(9000, net.clientIp6, 6)]);
  });

  it("-d spaces the hits", async () => {
    const r = await knockAndCapture(impl, ["-d", "300", net.serverIp, "7000", "8000:udp", "9000"], 3);
    expect(r.code, r.stderr).toBe(0);
    expect(r.packets.map((p) => p.dport)).toEqual([7000, 8000, 9000]);
    for (const gap of gaps(r.packets)) {
      expect(gap).toBeGreaterThanOrEqual(290);
      expect(gap).toBeLessThan(800);
    }
  });
});

describe("sesame knock only", () => {
  it("prints the same -v lines and puts the same packets on the wire as Debian's knock 0.8", async () => {
    const args = ["-v", net.serverIp, "7000", "8000:udp", "9000", "9000:udp"];
    const ours = await knockAndCapture("sesame", args, 4);
    const theirs = await knockAndCapture("debian", args, 4);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.packets.map(shape)).toEqual(theirs.packets.map(shape));
  });

  it("knocks from a chosen source address (library localAddress)", async () => {
    const src = net.clientExtraIps[1]!;
    const opts = {
      host: net.serverIp,
      steps: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "udp" }, { port: 9000, protocol: "tcp" }],
      localAddress: src,
      verbose: true,
    };
    const capture = await startTcpdumpCapture(net.server, net.serverIf);
    const r = await run(["node", "--import", TSX_LOADER, RUNNER, JSON.stringify(opts)], { ns: net.client });
    const packets = await capture.stop({ keep: (p) => p.dst === net.serverIp, count: 3 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`hitting tcp ${net.serverIp}:7000\nhitting udp ${net.serverIp}:8000\nhitting tcp ${net.serverIp}:9000\n`);
    expect(packets.map(shape)).toEqual([syn(7000, src), datagram(8000, src), syn(9000, src)]);
  });

  it("fails without sending anything when a local address is not configured", async () => {
    const opts = { host: net.serverIp, steps: [{ port: 7000, protocol: "tcp" }], localAddress: "192.0.2.99" };
    const capture = await startTcpdumpCapture(net.server, net.serverIf);
    const r = await run(["node", "--import", TSX_LOADER, RUNNER, JSON.stringify(opts)], { ns: net.client });
    const packets = await capture.stop({ keep: (p) => p.dst === net.serverIp });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/EADDRNOTAVAIL/);
    expect(packets).toEqual([]);
  });

  it("is not slowed by filtered ports: one SYN each, no retransmission", async () => {
    const table = "knocktest";
    await must(["nft", "-f", "-"], {
      ns: net.server,
      input: `table inet ${table} {\n  chain input { type filter hook input priority 0; policy drop; }\n}\n`,
    });
    try {
      const ports = ["7001", "7002", "7003", "7004", "7005"];
      // Wait past the first SYN retransmission (1 s) so one would be caught.
      const r = await knockAndCapture("sesame", [net.serverIp, ...ports], 5, 1300);
      expect(r.code, r.stderr).toBe(0);
      expect(r.packets.map(shape)).toEqual(ports.map((p) => syn(Number(p), net.clientIp)));
      expect(r.packets.at(-1)!.atMs - r.packets[0]!.atMs).toBeLessThan(250);
      expect(r.elapsedMs).toBeLessThan(5000);
    } finally {
      await must(["nft", "delete", "table", "inet", table], { ns: net.server });
    }
  });

  it.each([
    ["a bad port", ["SERVER", "7000", "0"], /port 0 is out of range/],
    ["a non-numeric port", ["SERVER", "7000", "ssh"], /invalid port 'ssh'/],
    ["an unknown protocol", ["SERVER", "7000", "8000:icmp"], /unknown protocol 'icmp'/],
    ["no ports", ["SERVER"], /no ports to knock/],
    ["an unresolvable host", ["nonexistent.invalid", "7000"], /cannot resolve host 'nonexistent\.invalid'/],
    ["a host of the wrong family", ["-4", "SERVER6", "7000"], /IPv6 address but IPv4 was requested/],
  ])("exits non-zero on %s and sends nothing", async (_name, args, message) => {
    const argv = args.map((a) => (a === "SERVER" ? net.serverIp : a === "SERVER6" ? net.serverIp6 : a));
    const r = await knockAndCapture("sesame", argv, 0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.packets).toEqual([]);
  });
});
