import { formatIpBytes, type KnockPacket } from "@sesame/core";

/**
 * Raw frame decoding for the capture path. Every read is bounds-checked
 * against the captured length, so a truncated or hostile frame yields null
 * (counted) and never throws. Only what the matcher needs is extracted.
 */

/** Link-layer framings we can decode (pcap DLT). */
export type LinkKind = "ethernet" | "sll" | "sll2" | "raw" | "null";

export interface DecodeStats {
  /** Frames that claimed to be IP/TCP/UDP but were truncated or inconsistent. */
  malformed: number;
  /** Well-formed frames we do not care about (ARP, ICMP, later fragments, ESP, …). */
  skipped: number;
}

/** Maps node_pcap's link_type string (or the raw DLT number it prints for unknown ones) to a LinkKind. */
export function linkKindFromPcap(linkType: string): LinkKind | null {
  switch (linkType) {
    case "LINKTYPE_ETHERNET":
      return "ethernet";
    case "LINKTYPE_LINUX_SLL":
      return "sll";
    case "LINKTYPE_RAW":
      return "raw";
    case "LINKTYPE_NULL":
      return "null";
  }
  // node_pcap reports other DLTs as "Unknown linktype N".
  const m = /(\d+)$/.exec(linkType);
  const dlt = m ? Number(m[1]) : -1;
  if (dlt === 276) return "sll2"; // DLT_LINUX_SLL2
  if (dlt === 12 || dlt === 14 || dlt === 101 || dlt === 228 || dlt === 229) return "raw";
  return null;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const MAX_VLAN_TAGS = 2;

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const MAX_IPV6_EXT_HEADERS = 8;

/** Result of one decode step: a packet, "skip" (not ours) or "bad" (malformed). */
type Step = KnockPacket | "skip" | "bad";

/** A decoder with its own counters. `decode` never throws. */
export class FrameDecoder {
  private readonly counts: DecodeStats = { malformed: 0, skipped: 0 };
  private spaPort = 0;

  /** UDP datagrams to this port keep their payload (the SPA verifier reads it); 0: none. */
  setSpaPort(port: number): void {
    this.spaPort = port;
  }

  stats(): DecodeStats {
    return { ...this.counts };
  }

  /** Decodes the first `length` bytes of `buf` (node_pcap reuses one buffer; caplen tells what is valid). */
  decode(buf: Uint8Array, length: number, link: LinkKind): KnockPacket | null {
    let r: Step;
    try {
      r = decodeFrame(buf, Math.min(length, buf.length), link, this.spaPort);
    } catch {
      // Defensive only: every read below is bounds-checked.
      r = "bad";
    }
    if (r === "bad") {
      this.counts.malformed++;
      return null;
    }
    if (r === "skip") {
      this.counts.skipped++;
      return null;
    }
    return r;
  }
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

function decodeFrame(b: Uint8Array, len: number, link: LinkKind, spaPort: number): Step {
  const r = decodeLink(b, len, link);
  // Only the SPA port's datagrams are copied out (node_pcap reuses its buffer).
  if (typeof r === "object" && r.protocol === "udp" && spaPort !== 0 && r.dport === spaPort) r.payload = Buffer.from(b.subarray(payloadStart, payloadEnd)).toString("latin1");
  return r;
}

/** Where the last UDP datagram's payload lies in the frame (set by decodeL4, read right after). */
let payloadStart = 0;
let payloadEnd = 0;

function decodeLink(b: Uint8Array, len: number, link: LinkKind): Step {
  switch (link) {
    case "ethernet":
      if (len < 14) return "bad";
      return decodeEtherType(b, len, u16(b, 12), 14);
    case "sll":
      // packet type, ARPHRD, addr len, 8 bytes addr, protocol.
      if (len < 16) return "bad";
      return decodeEtherType(b, len, u16(b, 14), 16);
    case "sll2":
      // protocol, reserved, ifindex, ARPHRD, packet type, addr len, 8 bytes addr.
      if (len < 20) return "bad";
      return decodeEtherType(b, len, u16(b, 0), 20);
    case "raw":
      return decodeIp(b, len, 0);
    case "null": {
      // BSD loopback: 4-byte address family in host byte order.
      if (len < 4) return "bad";
      const le = (b[0] as number) | ((b[1] as number) << 8);
      const be = u16(b, 2);
      const fam = le !== 0 ? le : be;
      if (fam === 2) return decodeIpv4(b, len, 4);
      if (fam === 10 || fam === 24 || fam === 28 || fam === 30) return decodeIpv6(b, len, 4);
      return "skip";
    }
  }
}

function decodeEtherType(b: Uint8Array, len: number, firstType: number, firstOffset: number): Step {
  let type = firstType;
  let off = firstOffset;
  for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
    if (tags >= MAX_VLAN_TAGS) return "skip";
    if (off + 4 > len) return "bad";
    type = u16(b, off + 2);
    off += 4;
  }
  if (type === ETH_IPV4) return decodeIpv4(b, len, off);
  if (type === ETH_IPV6) return decodeIpv6(b, len, off);
  return "skip";
}

function decodeIp(b: Uint8Array, len: number, off: number): Step {
  if (off >= len) return "bad";
  const version = (b[off] as number) >> 4;
  if (version === 4) return decodeIpv4(b, len, off);
  if (version === 6) return decodeIpv6(b, len, off);
  return "bad";
}

function decodeIpv4(b: Uint8Array, len: number, off: number): Step {
  if (off + 20 > len) return "bad";
  const vihl = b[off] as number;
  if (vihl >> 4 !== 4) return "bad";
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < 20) return "bad";
  const total = u16(b, off + 2);
  if (total < hlen) return "bad";
  // Later fragments carry no L4 header: not a knock, not malformed.
  if ((u16(b, off + 6) & 0x1fff) !== 0) return "skip";
  // The snap length may cut the datagram; the IP total length may be shorter than the frame (padding).
  const end = Math.min(len, off + total);
  const l4 = off + hlen;
  if (l4 > end) return "bad";
  const proto = b[off + 9] as number;
  const src = `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  const dst = `${b[off + 16]}.${b[off + 17]}.${b[off + 18]}.${b[off + 19]}`;
  return decodeL4(b, end, l4, proto, src, dst, 4);
}

function decodeIpv6(b: Uint8Array, len: number, off: number): Step {
  if (off + 40 > len) return "bad";
  if ((b[off] as number) >> 4 !== 6) return "bad";
  const payload = u16(b, off + 4);
  // Payload length 0 is a jumbogram (hop-by-hop option); then the frame length rules.
  const end = payload === 0 ? len : Math.min(len, off + 40 + payload);
  let next = b[off + 6] as number;
  let p = off + 40;
  for (let i = 0; ; i++) {
    if (next === IPPROTO_TCP || next === IPPROTO_UDP) break;
    if (i >= MAX_IPV6_EXT_HEADERS) return "skip";
    if (next === IPPROTO_HOPOPTS || next === IPPROTO_ROUTING || next === IPPROTO_DSTOPTS) {
      if (p + 8 > end) return "bad";
      const hl = ((b[p + 1] as number) + 1) * 8;
      next = b[p] as number;
      p += hl;
    } else if (next === IPPROTO_FRAGMENT) {
      if (p + 8 > end) return "bad";
      // Only the first fragment carries the TCP/UDP header.
      if ((u16(b, p + 2) & 0xfff8) !== 0) return "skip";
      next = b[p] as number;
      p += 8;
    } else if (next === IPPROTO_AH) {
      if (p + 8 > end) return "bad";
      const hl = ((b[p + 1] as number) + 2) * 4;
      next = b[p] as number;
      p += hl;
    } else {
      // ESP (50), no next header (59), ICMPv6 and everything else: not a knock.
      return "skip";
    }
    if (p > end) return "bad";
  }
  const src = formatIpBytes(b.subarray(off + 8, off + 24));
  const dst = formatIpBytes(b.subarray(off + 24, off + 40));
  return decodeL4(b, end, p, next, src, dst, 6);
}

function decodeL4(b: Uint8Array, end: number, p: number, proto: number, src: string, dst: string, family: 4 | 6): Step {
  if (proto === IPPROTO_TCP) {
    // Full fixed header: a frame cut inside it is not trusted for its flags.
    if (p + 20 > end) return "bad";
    const dataOffset = ((b[p + 12] as number) >> 4) * 4;
    if (dataOffset < 20) return "bad";
    return { src, dst, family, protocol: "tcp", dport: u16(b, p + 2), flags: b[p + 13] as number };
  }
  if (proto === IPPROTO_UDP) {
    if (p + 8 > end) return "bad";
    payloadStart = p + 8;
    payloadEnd = Math.min(end, p + Math.max(8, u16(b, p + 4)));
    return { src, dst, family, protocol: "udp", dport: u16(b, p + 2), flags: 0 };
  }
  return "skip";
}
