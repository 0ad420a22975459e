/**
 * IPv4/IPv6 addresses without node:net (core stays pure). Text output is
 * canonical: dotted quads for IPv4, RFC 5952 for IPv6 (lowercase, no leading
 * zeros, longest zero run compressed, IPv4-mapped addresses written as
 * ::ffff:a.b.c.d). Networks are in cidr.ts.
 */

export interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

const V4_PART = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4Bytes(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    // Leading zeros are refused (inet_pton does too): "010" is octal to some tools.
    if (!V4_PART.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6Bytes(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  let tail: Uint8Array | null = null;
  let head = s;
  // An embedded IPv4 address may only stand in the last 32 bits.
  const lastColon = s.lastIndexOf(":");
  if (s.indexOf(".", lastColon) !== -1) {
    tail = parseIpv4Bytes(s.slice(lastColon + 1));
    if (!tail) return null;
    head = s.slice(0, lastColon + 1);
    // "::1.2.3.4" keeps its "::"; "1::2:1.2.3.4" leaves "1::2:" whose trailing colon is a separator.
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const groupsWanted = tail ? 6 : 8;
  const dbl = head.indexOf("::");
  if (dbl !== -1 && head.indexOf("::", dbl + 1) !== -1) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!HEX_GROUP.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const all = parseGroups(head);
    if (!all || all.length !== groupsWanted) return null;
    groups = all;
  } else {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right) return null;
    const missing = groupsWanted - left.length - right.length;
    // "::" stands for at least one group of zeros.
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

/** Parses an IPv4 or IPv6 address (no zone id, no brackets, no prefix); null when invalid. */
export function parseIp(s: string): ParsedIp | null {
  if (typeof s !== "string") return null;
  const t = s.trim();
  if (t.includes(":")) {
    const bytes = parseIpv6Bytes(t);
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4Bytes(t);
  return bytes ? { family: 4, bytes } : null;
}

/** True when `s` is a valid IPv4 or IPv6 address. */
export function isIp(s: string): boolean {
  return parseIp(s) !== null;
}

/** True for ::ffff:a.b.c.d. */
export function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** True for 64:ff9b::a.b.c.d (RFC 6052 well-known prefix). */
function isNat64(b: Uint8Array): boolean {
  if (b[0] !== 0x00 || b[1] !== 0x64 || b[2] !== 0xff || b[3] !== 0x9b) return false;
  for (let i = 4; i < 12; i++) if (b[i] !== 0) return false;
  return true;
}

/** Canonical text of address bytes (4 or 16 of them). */
export function formatIpBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (isV4Mapped(bytes)) return `::ffff:${Array.from(bytes.subarray(12)).join(".")}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // RFC 5952 4.2: compress the longest run of two or more zero groups (the first on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Canonical text of an address, or null when it is not one. */
export function normalizeIp(s: string): string | null {
  const p = parseIp(s);
  return p ? formatIpBytes(p.bytes) : null;
}

/**
 * Canonical text of an address for equality checks (the matcher's door
 * targets, the pcap filter's host addresses): normalizeIp, after dropping an
 * IPv6 zone id ("fe80::1%eth0", as interfaces list link-local addresses).
 */
export function canonicalIp(s: string): string | null {
  const zone = s.indexOf("%");
  return normalizeIp(zone >= 0 && s.includes(":") ? s.slice(0, zone) : s);
}

/** 4 or 6 for a valid address, null otherwise. */
export function ipFamily(s: string): 4 | 6 | null {
  return parseIp(s)?.family ?? null;
}

/** Prefix an IPv6 client is held to account by: a /64 is one subscriber's LAN, and a host there can use any address in it. */
export const CLIENT_BLOCK_V6_PREFIX = 64;

/**
 * The block a client is counted as, for limits an attacker must not dodge by
 * changing address (login throttling): an IPv4 address itself, the /64 of an
 * IPv6 address (`2001:db8:1:2::/64`), the IPv4 inside an IPv4-mapped or a
 * NAT64 (64:ff9b::/96) one.
 * Text that is not an address comes back as it is.
 */
export function clientBlock(ip: string): string {
  const p = parseIp(ip);
  if (!p) return ip;
  if (p.family === 4) return formatIpBytes(p.bytes);
  // IPv4-mapped, and NAT64's well-known prefix 64:ff9b::/96 (every IPv4 client of a NAT64 gateway shares one /64)
  if (isV4Mapped(p.bytes) || isNat64(p.bytes)) return formatIpBytes(p.bytes.subarray(12));
  return `${formatIpBytes(maskBytes(p.bytes, CLIENT_BLOCK_V6_PREFIX))}/${CLIENT_BLOCK_V6_PREFIX}`;
}

/** `bytes` with every bit past `prefix` cleared. */
export function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = (bytes[i] as number) & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}
