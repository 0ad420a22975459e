/**
 * The filter is checked three ways: its text (table), that real libpcap
 * compiles it (tcpdump -d), and what it actually selects: hand-built frames
 * are written to pcap files and read back through tcpdump with the filter.
 */
// Test-only I/O: core stays pure, but only libpcap itself can say whether a filter is right.
// eslint-disable-next-line no-restricted-imports
import { spawnSync } from "node:child_process";
// eslint-disable-next-line no-restricted-imports
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MATCH_NOTHING_FILTER, buildPcapFilter } from "./pcap-filter";
import { parseIp } from "./ip";
import { door, seq } from "@sesame/testkit/fixtures";
import type { Door } from "../types";

const LOCAL = ["10.0.0.1", "fd00::1"];
const SYN_NOT_ACK = { set: ["syn" as const], clear: ["ack" as const] };
const hasTcpdump = spawnSync("tcpdump", ["--version"]).error === undefined;

const knockd: Door[] = [
  door("openSSH", "7000,8000:udp,9000", { tcpFlags: SYN_NOT_ACK }),
  door("closeSSH", "9000,8000:udp,7000", { tcpFlags: SYN_NOT_ACK }),
  door("gw", "6000", { target: "10.0.0.50" }),
];

describe("buildPcapFilter text", () => {
  it.each<{ name: string; doors: Door[]; local?: string[]; expected: string }>([
    { name: "no doors", doors: [], expected: MATCH_NOTHING_FILTER },
    { name: "only disabled doors", doors: [door("a", "7000", { enabled: false })], expected: "less 1" },
    { name: "only an exhausted one-time door", doors: [door("a", "", { oneTimeSequences: [seq("7000")], oneTimeIndex: 1 })], expected: "less 1" },
    {
      name: "one IPv4 address, TCP and UDP, no flags",
      doors: [door("a", "7000,8000:udp")],
      local: ["10.0.0.1"],
      expected:
        "(ip and (dst host 10.0.0.1) and (tcp dst port 7000 or udp dst port 8000)) or " +
        "(vlan and ((ip and (dst host 10.0.0.1) and (tcp dst port 7000 or udp dst port 8000))))",
    },
    {
      name: "flags where every door on the port agrees, IPv6 with extension headers",
      doors: [door("a", "7000", { tcpFlags: SYN_NOT_ACK })],
      local: ["fd00::1"],
      expected:
        "(ip6 and (dst host fd00::1) and ((tcp dst port 7000 and ip6[53] & 18 == 2))) or " +
        "(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60) and (dst host fd00::1)) or " +
        "(vlan and ((ip6 and (dst host fd00::1) and ((tcp dst port 7000 and ip6[53] & 18 == 2))) or " +
        "(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60) and (dst host fd00::1))))",
    },
    {
      name: "no host address known: any destination",
      doors: [door("a", "7000")],
      local: [],
      expected:
        "(ip and (tcp dst port 7000)) or (ip6 and (tcp dst port 7000)) or " +
        "(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60)) or " +
        "(vlan and ((ip and (tcp dst port 7000)) or (ip6 and (tcp dst port 7000)) or " +
        "(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60))))",
    },
  ])("$name", ({ doors, local, expected }) => {
    expect(buildPcapFilter(doors, { localAddresses: local ?? LOCAL })).toBe(expected);
  });

  it.each<{ name: string; doors: Door[]; has: string[]; hasNot: string[] }>([
    {
      name: "flags are expressed for IPv4 and IPv6 when doors agree",
      doors: knockd,
      has: ["(tcp dst port 7000 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn)", "(tcp dst port 7000 and ip6[53] & 18 == 2)", "udp dst port 8000"],
      hasNot: ["tcp dst port 8000"],
    },
    {
      name: "flags are left to the matcher when doors disagree on a port",
      doors: [door("a", "7000,9000", { tcpFlags: SYN_NOT_ACK }), door("b", "7000", { tcpFlags: { set: ["syn"], clear: [] } })],
      has: ["tcp dst port 7000 or", "(tcp dst port 9000 and tcp[tcpflags]"],
      hasNot: ["(tcp dst port 7000 and"],
    },
    {
      name: "targets and local addresses are all destinations, IPv6 canonical",
      doors: [door("a", "7000"), door("b", "7001", { target: "10.0.0.50" }), door("c", "7002", { target: "FD00::50" })],
      has: ["dst host 10.0.0.1 or dst host 10.0.0.50", "dst host fd00::1 or dst host fd00::50"],
      hasNot: [],
    },
    {
      name: "a one-time door contributes its active sequence only",
      doors: [door("ot", "7100", { oneTimeSequences: [seq("7000"), seq("7100"), seq("7200")], oneTimeIndex: 1 })],
      has: ["tcp dst port 7100"],
      hasNot: ["port 7000", "port 7200"],
    },
  ])("$name", ({ doors, has, hasNot }) => {
    const filter = buildPcapFilter(doors, { localAddresses: LOCAL });
    for (const s of has) expect(filter).toContain(s);
    for (const s of hasNot) expect(filter).not.toContain(s);
  });

  it.each([
    ["a bad local address", [door("a", "7000")], ["10.0.0.1; rm -rf /"]],
    ["a bad door target", [door("a", "7000", { target: "host or 1" })], LOCAL],
  ])("rejects %s (nothing reaches the filter text unchecked)", (_label, doors, local) => {
    expect(() => buildPcapFilter(doors, { localAddresses: local })).toThrow(RangeError);
  });
});

describe.skipIf(!hasTcpdump)("buildPcapFilter with real libpcap", () => {
  const dir = mkdtempSync(join(tmpdir(), "sesame-pcap-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const configs: [string, Door[], string[]][] = [
    ["knockd doors", knockd, LOCAL],
    ["no doors", [], LOCAL],
    ["IPv4 only", [door("a", "7000,8000:udp")], ["10.0.0.1"]],
    ["IPv6 only", [door("a", "7000", { tcpFlags: SYN_NOT_ACK })], ["fd00::1", "fe80::1%eth0"]],
    ["any destination", [door("a", "7000")], []],
    ["many doors and addresses", Array.from({ length: 20 }, (_, i) => door(`d${i}`, `${7000 + i},${8000 + i}:udp,${9000 + i}`, { tcpFlags: SYN_NOT_ACK })), ["10.0.0.1", "10.0.0.2", "fd00::1", "fd00::2"]],
  ];

  it.each(configs)("compiles for %s (tcpdump -d on lo and as EN10MB)", (_label, doors, local) => {
    const filter = buildPcapFilter(doors, { localAddresses: local });
    for (const args of [["-d", "-i", "lo"], ["-d", "-y", "EN10MB"]]) {
      const r = spawnSync("tcpdump", [...args, filter], { encoding: "utf8" });
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });

  it("without vlan it compiles for the Linux cooked link of the \"any\" device", () => {
    const withVlan = buildPcapFilter(knockd, { localAddresses: LOCAL });
    const plain = buildPcapFilter(knockd, { localAddresses: LOCAL, vlan: false });
    expect(withVlan.startsWith(`${plain} or (vlan and (`)).toBe(true);
    expect(spawnSync("tcpdump", ["-d", "-i", "any", plain], { encoding: "utf8" }).status).toBe(0);
    expect(spawnSync("tcpdump", ["-d", "-i", "any", withVlan], { encoding: "utf8" }).status).not.toBe(0);
  });

  let n = 0;
  /** Whether tcpdump, reading a one-frame capture through the filter, prints the frame. */
  function selects(filter: string, frame: number[]): boolean {
    const file = join(dir, `f${n++}.pcap`);
    writeFileSync(file, pcapFile(frame));
    const r = spawnSync("tcpdump", ["-n", "-r", file, filter], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tcpdump failed: ${r.stderr}`);
    return r.stdout.trim() !== "";
  }

  const SYN = 0x02;
  const SYN_ACK = 0x12;
  const ACK = 0x10;
  it.each<[string, boolean, number[]]>([
    ["IPv4 SYN to the host on a knock port", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(7000, SYN)))],
    ["IPv4 SYN-ACK on a syn,!ack port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(7000, SYN_ACK)))],
    ["IPv4 SYN to another address", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.2", 6, tcp(7000, SYN)))],
    ["IPv4 UDP on a UDP knock port", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 17, udp(8000)))],
    ["IPv4 TCP on a UDP-only knock port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(8000, SYN)))],
    ["IPv4 SYN on an unwatched port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(22, SYN)))],
    ["IPv4 ACK to a door target (no flag rule)", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.50", 6, tcp(6000, ACK)))],
    ["802.1Q IPv4 SYN on a knock port", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(9000, SYN)), 42)],
    ["802.1Q IPv4 SYN on an unwatched port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(22, SYN)), 42)],
    ["IPv6 SYN to the host", true, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 6, tcp(7000, SYN)))],
    ["IPv6 SYN-ACK on a syn,!ack port", false, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 6, tcp(7000, SYN_ACK)))],
    ["IPv6 UDP knock", true, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 17, udp(8000)))],
    ["IPv6 SYN to another address", false, eth(0x86dd, ipv6("2001:db8::9", "fd00::2", 6, tcp(7000, SYN)))],
    ["IPv6 hop-by-hop + TCP to the host", true, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 0, hopByHop(6, tcp(7000, SYN))))],
    ["IPv6 destination options + TCP to another address", false, eth(0x86dd, ipv6("2001:db8::9", "fd00::2", 60, hopByHop(6, tcp(7000, SYN))))],
    ["802.1Q IPv6 routing header + TCP", true, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 43, hopByHop(6, tcp(7000, SYN))), 7)],
  ])("knockd doors: %s → %s", (_label, expected, frame) => {
    expect(selects(buildPcapFilter(knockd, { localAddresses: LOCAL }), frame)).toBe(expected);
  });

  it("the no-door filter selects nothing", () => {
    expect(selects(MATCH_NOTHING_FILTER, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(7000, SYN))))).toBe(false);
  });

  it.each<[string, boolean, number[]]>([
    ["IPv4 SPA datagram to the host", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 17, udp(62201)))],
    ["IPv6 SPA datagram to the host", true, eth(0x86dd, ipv6("2001:db8::9", "fd00::1", 17, udp(62201)))],
    ["802.1Q IPv4 SPA datagram", true, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 17, udp(62201)), 5)],
    ["TCP to the SPA port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(62201, SYN)))],
    ["UDP to the SPA port of another address", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.2", 17, udp(62201)))],
    ["UDP to another port", false, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 17, udp(62202)))],
  ])("SPA port 62201 without doors: %s → %s", (_label, expected, frame) => {
    expect(selects(buildPcapFilter([], { localAddresses: LOCAL, spaPort: 62201 }), frame)).toBe(expected);
  });

  it("the SPA port joins the doors' ports (knocks still selected)", () => {
    const f = buildPcapFilter(knockd, { localAddresses: LOCAL, spaPort: 62201 });
    expect(f).toContain("udp dst port 62201");
    expect(selects(f, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(7000, SYN))))).toBe(true);
    expect(selects(f, eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 17, udp(62201))))).toBe(true);
  });

  it("when doors disagree on a port's flags, a SYN-ACK still reaches the matcher", () => {
    const doors = [door("a", "7000", { tcpFlags: SYN_NOT_ACK }), door("b", "7000,7001")];
    expect(selects(buildPcapFilter(doors, { localAddresses: LOCAL }), eth(0x0800, ipv4("192.0.2.9", "10.0.0.1", 6, tcp(7000, SYN_ACK))))).toBe(true);
  });
});

// --- frame builders (checksums left zero: BPF does not look at them) ---

function octets4(ip: string): number[] {
  return ip.split(".").map(Number);
}

function octets6(ip: string): number[] {
  return Array.from(parseIp(ip)?.bytes ?? []);
}

function eth(type: number, payload: number[], vlan?: number): number[] {
  const tag = vlan === undefined ? [] : [0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff];
  return [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, ...tag, type >> 8, type & 0xff, ...payload];
}

function ipv4(src: string, dst: string, proto: number, l4: number[]): number[] {
  const total = 20 + l4.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, ...octets4(src), ...octets4(dst), ...l4];
}

function ipv6(src: string, dst: string, next: number, payload: number[]): number[] {
  return [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, next, 64, ...octets6(src), ...octets6(dst), ...payload];
}

/** An 8-byte extension header (next header, length 0, one PadN option). */
function hopByHop(next: number, inner: number[]): number[] {
  return [next, 0, 1, 4, 0, 0, 0, 0, ...inner];
}

function tcp(dport: number, flags: number): number[] {
  return [0x30, 0x39, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
}

function udp(dport: number): number[] {
  return [0x30, 0x39, dport >> 8, dport & 0xff, 0, 9, 0, 0, 0x41];
}

/** A classic pcap file (LINKTYPE_ETHERNET) holding one frame. */
function pcapFile(frame: number[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(1, 0);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, record, Buffer.from(frame)]);
}
