import { describe, expect, it } from "vitest";
import type { KnockPacket } from "@sesame/core";
import { FrameDecoder, linkKindFromPcap, type LinkKind } from "./decode";

// Hand-built frames: every layer is written byte by byte so the tests do not
// share code (or bugs) with the decoder.

const bytes = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

function tcp(dport: number, flags: number, sport = 40000): number[] {
  return [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, ...be16(64240), 0, 0, 0, 0];
}
function udp(dport: number, payload: number[] = [], sport = 40000): number[] {
  return [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
}
function ipv4(proto: number, l4: number[], opts: { src?: number[]; dst?: number[]; frag?: number; ihl?: number; total?: number } = {}): number[] {
  const ihl = opts.ihl ?? 5;
  const options = new Array<number>(Math.max(0, ihl - 5) * 4).fill(1);
  const total = opts.total ?? ihl * 4 + l4.length;
  return [0x40 | ihl, 0, ...be16(total), 0, 1, ...be16(opts.frag ?? 0), 64, proto, 0, 0, ...(opts.src ?? [10, 0, 0, 2]), ...(opts.dst ?? [10, 0, 0, 1]), ...options, ...l4];
}
const SRC6 = [0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const DST6 = [0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
function ipv6(next: number, payload: number[], opts: { plen?: number } = {}): number[] {
  return [0x60, 0, 0, 0, ...be16(opts.plen ?? payload.length), next, 64, ...SRC6, ...DST6, ...payload];
}
/** Generic extension header (hop-by-hop, routing, dest-opts): next, len in 8-byte units beyond the first. */
function ext(next: number, extra8 = 0): number[] {
  return [next, extra8, ...new Array<number>(6 + extra8 * 8).fill(0)];
}
function frag(next: number, offset8: number, more = false): number[] {
  return [next, 0, ...be16((offset8 << 3) | (more ? 1 : 0)), 0, 0, 0, 7];
}
const MACS = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
const eth = (type: number, payload: number[]): number[] => [...MACS, ...be16(type), ...payload];
const vlan = (tpid: number, id: number, inner: number): number[] => [...be16(tpid), ...be16(id), ...be16(inner)];
const sll = (proto: number, payload: number[]): number[] => [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, ...be16(proto), ...payload];
const sll2 = (proto: number, payload: number[]): number[] => [...be16(proto), 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0, ...payload];

const V4_TCP: KnockPacket = { src: "10.0.0.2", dst: "10.0.0.1", family: 4, protocol: "tcp", dport: 7000, flags: 0x02 };
const V4_UDP: KnockPacket = { src: "10.0.0.2", dst: "10.0.0.1", family: 4, protocol: "udp", dport: 8000, flags: 0 };
const V6_TCP: KnockPacket = { src: "fd00:20::2", dst: "fd00:20::1", family: 6, protocol: "tcp", dport: 9000, flags: 0x12 };
const V6_UDP: KnockPacket = { src: "fd00:20::2", dst: "fd00:20::1", family: 6, protocol: "udp", dport: 53, flags: 0 };

interface Case {
  name: string;
  link: LinkKind;
  frame: number[];
  want: KnockPacket | "skip";
  /** Frame carries trailing bytes (payload/padding) that may be cut without harm. */
  slack?: number;
}

const CASES: Case[] = [
  { name: "ethernet ipv4 tcp syn", link: "ethernet", frame: eth(0x0800, ipv4(6, tcp(7000, 0x02))), want: V4_TCP },
  { name: "ethernet ipv4 udp", link: "ethernet", frame: eth(0x0800, ipv4(17, udp(8000))), want: V4_UDP },
  { name: "ethernet ipv4 udp + payload", link: "ethernet", frame: eth(0x0800, ipv4(17, udp(8000, [0x41]))), want: V4_UDP, slack: 1 },
  { name: "ethernet ipv4 with options", link: "ethernet", frame: eth(0x0800, ipv4(6, tcp(7000, 0x02), { ihl: 7 })), want: V4_TCP },
  { name: "ethernet ipv4 first fragment (MF, offset 0)", link: "ethernet", frame: eth(0x0800, ipv4(6, tcp(7000, 0x02), { frag: 0x2000 })), want: V4_TCP },
  { name: "ethernet ipv4 + ethernet padding", link: "ethernet", frame: [...eth(0x0800, ipv4(17, udp(8000))), 0, 0, 0, 0, 0, 0], want: V4_UDP, slack: 6 },
  { name: "802.1Q ipv4 tcp", link: "ethernet", frame: [...MACS, ...vlan(0x8100, 5, 0x0800), ...ipv4(6, tcp(7000, 0x02))], want: V4_TCP },
  { name: "802.1ad + 802.1Q ipv4 udp", link: "ethernet", frame: [...MACS, ...vlan(0x88a8, 100, 0x8100), ...be16(5), ...be16(0x0800), ...ipv4(17, udp(8000))], want: V4_UDP },
  { name: "802.1Q ipv6 tcp", link: "ethernet", frame: [...MACS, ...vlan(0x8100, 7, 0x86dd), ...ipv6(6, tcp(9000, 0x12))], want: V6_TCP },
  { name: "ethernet ipv6 tcp", link: "ethernet", frame: eth(0x86dd, ipv6(6, tcp(9000, 0x12))), want: V6_TCP },
  { name: "ethernet ipv6 udp", link: "ethernet", frame: eth(0x86dd, ipv6(17, udp(53))), want: V6_UDP },
  { name: "ipv6 hop-by-hop + routing + dest-opts tcp", link: "ethernet", frame: eth(0x86dd, ipv6(0, [...ext(43), ...ext(60, 1), ...ext(6), ...tcp(9000, 0x12)])), want: V6_TCP },
  { name: "ipv6 first fragment udp", link: "ethernet", frame: eth(0x86dd, ipv6(44, [...frag(17, 0, true), ...udp(53)])), want: V6_UDP },
  { name: "ipv6 AH then tcp", link: "ethernet", frame: eth(0x86dd, ipv6(51, [6, 4, 0, 0, ...new Array<number>(20).fill(0), ...tcp(9000, 0x12)])), want: V6_TCP },
  { name: "sll ipv4 tcp", link: "sll", frame: sll(0x0800, ipv4(6, tcp(7000, 0x02))), want: V4_TCP },
  { name: "sll 802.1Q ipv4 tcp", link: "sll", frame: sll(0x8100, [...be16(5), ...be16(0x0800), ...ipv4(6, tcp(7000, 0x02))]), want: V4_TCP },
  { name: "sll2 ipv6 udp", link: "sll2", frame: sll2(0x86dd, ipv6(17, udp(53))), want: V6_UDP },
  { name: "raw ipv4 tcp", link: "raw", frame: ipv4(6, tcp(7000, 0x02)), want: V4_TCP },
  { name: "raw ipv6 udp", link: "raw", frame: ipv6(17, udp(53)), want: V6_UDP },
  { name: "null (BSD loopback) ipv4", link: "null", frame: [2, 0, 0, 0, ...ipv4(6, tcp(7000, 0x02))], want: V4_TCP },
  // Not knocks: well-formed but skipped.
  { name: "arp", link: "ethernet", frame: eth(0x0806, new Array<number>(28).fill(0)), want: "skip" },
  { name: "ipv4 icmp", link: "ethernet", frame: eth(0x0800, ipv4(1, [8, 0, 0, 0, 0, 0, 0, 0])), want: "skip" },
  { name: "ipv4 later fragment", link: "ethernet", frame: eth(0x0800, ipv4(6, tcp(7000, 0x02), { frag: 185 })), want: "skip" },
  { name: "ipv6 later fragment", link: "ethernet", frame: eth(0x86dd, ipv6(44, [...frag(6, 3), ...tcp(9000, 0x12)])), want: "skip" },
  { name: "ipv6 ESP", link: "ethernet", frame: eth(0x86dd, ipv6(50, new Array<number>(16).fill(0))), want: "skip" },
  { name: "ipv6 no next header", link: "ethernet", frame: eth(0x86dd, ipv6(0, ext(59))), want: "skip" },
  { name: "three VLAN tags", link: "ethernet", frame: [...MACS, ...vlan(0x88a8, 1, 0x8100), ...be16(2), ...be16(0x8100), ...be16(3), ...be16(0x0800), ...ipv4(6, tcp(7000, 2))], want: "skip" },
];

describe("FrameDecoder", () => {
  it.each(CASES)("$name", ({ link, frame, want, slack }) => {
    const d = new FrameDecoder();
    const buf = bytes(frame);
    // node_pcap hands over a larger reused buffer with stale bytes after caplen.
    const big = new Uint8Array(buf.length + 64).fill(0xee);
    big.set(buf);
    if (want === "skip") {
      expect(d.decode(big, buf.length, link)).toBeNull();
      expect(d.stats()).toEqual({ malformed: 0, skipped: 1 });
      return;
    }
    expect(d.decode(big, buf.length, link)).toEqual(want);
    expect(d.stats().malformed).toBe(0);
    // Truncated at every byte offset before the end of the L4 header: null, counted, never thrown.
    const cut = new FrameDecoder();
    const mandatory = buf.length - (slack ?? 0);
    let results = 0;
    for (let n = 0; n < mandatory; n++) {
      const r = cut.decode(big, n, link);
      expect(r, `cut at ${n}`).toBeNull();
      results++;
    }
    expect(cut.stats().malformed + cut.stats().skipped).toBe(results);
    expect(cut.stats().malformed).toBeGreaterThan(0);
    for (let n = mandatory; n <= buf.length; n++) expect(cut.decode(big, n, link), `cut at ${n}`).toEqual(want);
  });

  it.each([
    { name: "ipv4 ihl < 5", frame: eth(0x0800, ipv4(6, tcp(7000, 2), { ihl: 4 })) },
    { name: "ipv4 total length < header", frame: eth(0x0800, ipv4(6, tcp(7000, 2), { total: 12 })) },
    { name: "ipv4 total length ends inside tcp", frame: eth(0x0800, ipv4(6, tcp(7000, 2), { total: 30 })) },
    { name: "ipv4 header claims version 6", frame: eth(0x0800, [0x65, ...ipv4(6, tcp(7000, 2)).slice(1)]) },
    { name: "ipv6 payload length too short for udp", frame: eth(0x86dd, ipv6(17, udp(53), { plen: 4 })) },
    { name: "ipv6 extension header runs past the end", frame: eth(0x86dd, ipv6(0, [6, 200, 0, 0, 0, 0, 0, 0, ...tcp(9000, 2)])) },
    { name: "tcp data offset < 5", frame: eth(0x0800, ipv4(6, [...tcp(7000, 2).slice(0, 12), 0x40, ...tcp(7000, 2).slice(13)])) },
    { name: "raw garbage version", frame: [0x15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] },
  ])("malformed: $name", ({ frame }) => {
    const d = new FrameDecoder();
    const link: LinkKind = frame[0] === 0x15 ? "raw" : "ethernet";
    expect(d.decode(bytes(frame), frame.length, link)).toBeNull();
    expect(d.stats().malformed).toBe(1);
  });

  it("survives random garbage on every link type", () => {
    const d = new FrameDecoder();
    // Deterministic xorshift so a failure reproduces.
    let x = 0x9e3779b9;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x100000000;
    };
    const links: LinkKind[] = ["ethernet", "sll", "sll2", "raw", "null"];
    const buf = new Uint8Array(200);
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(rnd() * 200);
      for (let j = 0; j < n; j++) buf[j] = Math.floor(rnd() * 256);
      // Bias towards plausible headers so the deeper layers get exercised too.
      if (i % 2 === 0 && n > 14) {
        const v4 = i % 4 === 0;
        buf[12] = v4 ? 0x08 : 0x86;
        buf[13] = v4 ? 0x00 : 0xdd;
        buf[14] = v4 ? 0x45 : 0x60;
      }
      expect(() => d.decode(buf, n, links[i % links.length]!)).not.toThrow();
    }
    expect(d.stats().malformed + d.stats().skipped).toBeGreaterThan(0);
  });

  it("decodes IPv6 addresses canonically (RFC 5952)", () => {
    const d = new FrameDecoder();
    const frame = eth(0x86dd, [0x60, 0, 0, 0, ...be16(8), 17, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ...new Array<number>(10).fill(0), 0xff, 0xff, 10, 0, 0, 1, ...udp(53)]);
    expect(d.decode(bytes(frame), frame.length, "ethernet")).toMatchObject({ src: "2001:db8::1", dst: "::ffff:10.0.0.1" });
  });
});

describe("linkKindFromPcap", () => {
  it.each([
    ["LINKTYPE_ETHERNET", "ethernet"],
    ["LINKTYPE_LINUX_SLL", "sll"],
    ["LINKTYPE_RAW", "raw"],
    ["LINKTYPE_NULL", "null"],
    ["Unknown linktype 276", "sll2"],
    ["Unknown linktype 228", "raw"],
    ["LINKTYPE_IEEE802_11_RADIO", null],
    ["Unknown linktype 147", null],
  ])("%s → %s", (input, want) => {
    expect(linkKindFromPcap(input)).toBe(want);
  });
});

describe("FrameDecoder: the SPA port's payload", () => {
  const text = Array.from(Buffer.from("8Rqf6xoXjhd+Kpk0TQNWyPbG/fDLeLn5bkpE"));
  it.each<[string, LinkKind, number[], number, string | undefined]>([
    ["IPv4 datagram to the SPA port", "ethernet", eth(0x0800, ipv4(17, udp(62201, text))), 62201, "8Rqf6xoXjhd+Kpk0TQNWyPbG/fDLeLn5bkpE"],
    ["IPv6 datagram to the SPA port", "ethernet", eth(0x86dd, ipv6(17, udp(62201, text))), 62201, "8Rqf6xoXjhd+Kpk0TQNWyPbG/fDLeLn5bkpE"],
    ["Ethernet padding is not payload (UDP length rules)", "ethernet", [...eth(0x0800, ipv4(17, udp(62201, text.slice(0, 3)))), 0, 0, 0, 0], 62201, "8Rq"],
    ["another UDP port keeps none", "ethernet", eth(0x0800, ipv4(17, udp(62202, text))), 62201, undefined],
    ["no SPA port set keeps none", "ethernet", eth(0x0800, ipv4(17, udp(62201, text))), 0, undefined],
  ])("%s", (_n, link, frame, port, want) => {
    const d = new FrameDecoder();
    d.setSpaPort(port);
    const buf = bytes(frame);
    const big = new Uint8Array(buf.length + 64).fill(0x41);
    big.set(buf);
    const p = d.decode(big, buf.length, link);
    expect(p?.payload).toBe(want);
    // A copy: node_pcap reuses its buffer for the next frame.
    big.fill(0);
    expect(p?.payload).toBe(want);
  });
});
