/**
 * IPv4/IPv6 addresses and CIDR blocks without node:net (core stays pure).
 * Text output is canonical: dotted quads for IPv4, RFC 5952 for IPv6
 * (lowercase, no leading zeros, longest zero run compressed, IPv4-mapped
 * addresses written as ::ffff:a.b.c.d).
 */

export interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr {
  family: 4 | 6;
  prefix: number;
  /** Canonical network address (host bits cleared). */
  network: string;
  /** Canonical `network/prefix`. */
  text: string;
}

export type ParseCidrResult =
  | { ok: true; cidr: Cidr; /** true when the input had host bits set or was not canonical text. */ normalized: boolean }
  | { ok: false; reason: string };

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
function isV4Mapped(b: Uint8Array): boolean {
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

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = (bytes[i] as number) & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/**
 * Parses `a.b.c.d/n`, `x::y/n` or a bare address (a host: /32 or /128).
 * Host bits are accepted and cleared (`10.0.0.5/24` → `10.0.0.0/24`) with
 * `normalized: true` so the UI can say what it stored.
 */
export function parseCidr(s: string): ParseCidrResult {
  if (typeof s !== "string" || s.trim() === "") return { ok: false, reason: "An address or network is required." };
  const t = s.trim();
  const slash = t.indexOf("/");
  const addrText = slash === -1 ? t : t.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return { ok: false, reason: `"${addrText}" is not an IPv4 or IPv6 address.` };
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const pt = t.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(pt)) return { ok: false, reason: `"/${pt}" is not a prefix length (expected /0 to /${max}).` };
    prefix = Number(pt);
    if (prefix > max) return { ok: false, reason: `Prefix /${prefix} is out of range for IPv${ip.family} (expected /0 to /${max}).` };
  }
  const network = formatIpBytes(maskBytes(ip.bytes, prefix));
  const text = `${network}/${prefix}`;
  return { ok: true, cidr: { family: ip.family, prefix, network, text }, normalized: text !== t };
}

/** Network bytes and prefix, with IPv4 blocks lifted into ::ffff:0:0/96 when `as6`. */
interface Block {
  bytes: Uint8Array;
  prefix: number;
}

function toBlock(c: Cidr | string, as6: boolean): Block | null {
  let cidr: Cidr;
  if (typeof c === "string") {
    const r = parseCidr(c);
    if (!r.ok) return null;
    cidr = r.cidr;
  } else cidr = c;
  const ip = parseIp(cidr.network);
  if (!ip) return null;
  if (ip.family === 4 && as6) return { bytes: mapV4(ip.bytes), prefix: cidr.prefix + 96 };
  return { bytes: ip.bytes, prefix: cidr.prefix };
}

function mapV4(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b, 12);
  return out;
}

function prefixEqual(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const ma = maskBytes(a, prefix);
  const mb = maskBytes(b, prefix);
  for (let i = 0; i < ma.length; i++) if (ma[i] !== mb[i]) return false;
  return true;
}

/** The IPv4 address inside ::ffff:a.b.c.d, or null. */
function unmapV4(b: Uint8Array): Uint8Array | null {
  return b.length === 16 && isV4Mapped(b) ? b.subarray(12) : null;
}

/**
 * True when `ip` lies in `cidr`. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
 * also match IPv4 blocks (a dual-stack socket reports IPv4 peers that way);
 * a plain IPv4 address never matches an IPv6 block, as in the kernel where
 * the two families are filtered separately. Invalid input never matches.
 */
export function cidrContains(cidr: Cidr | string, ip: string): boolean {
  const addr = parseIp(ip);
  const c = typeof cidr === "string" ? parseCidr(cidr) : { ok: true as const, cidr };
  if (!addr || !c.ok) return false;
  const block = toBlock(c.cidr, false);
  if (!block) return false;
  if (c.cidr.family === addr.family) return prefixEqual(addr.bytes, block.bytes, block.prefix);
  const inner = c.cidr.family === 4 ? unmapV4(addr.bytes) : null;
  return inner !== null && prefixEqual(inner, block.bytes, block.prefix);
}

/** True when the two blocks share at least one address (one contains the other). */
export function cidrsOverlap(a: Cidr | string, b: Cidr | string): boolean {
  const ca = typeof a === "string" ? parseCidr(a) : { ok: true as const, cidr: a };
  const cb = typeof b === "string" ? parseCidr(b) : { ok: true as const, cidr: b };
  if (!ca.ok || !cb.ok) return false;
  const as6 = ca.cidr.family === 6 || cb.cidr.family === 6;
  const ba = toBlock(ca.cidr, as6);
  const bb = toBlock(cb.cidr, as6);
  if (!ba || !bb) return false;
  return prefixEqual(ba.bytes, bb.bytes, Math.min(ba.prefix, bb.prefix));
}

function bytesKey(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/**
 * A set of CIDR blocks with lookups in O(number of distinct prefix lengths):
 * one Map per family and prefix length, keyed by the masked address. Matching
 * follows `cidrContains` (IPv4-mapped addresses also match IPv4 blocks).
 */
export class CidrSet {
  private readonly tables = { 4: new PrefixTable(), 6: new PrefixTable() };
  readonly cidrs: Cidr[] = [];

  /** Throws on an invalid entry: callers pass validated, stored CIDRs. */
  constructor(cidrs: Iterable<string | Cidr> = []) {
    for (const c of cidrs) this.add(c);
  }

  add(c: string | Cidr): void {
    const parsed = typeof c === "string" ? parseCidr(c) : { ok: true as const, cidr: c };
    if (!parsed.ok) throw new TypeError(`CidrSet: invalid CIDR ${JSON.stringify(c)}: ${parsed.reason}`);
    const block = toBlock(parsed.cidr, false);
    if (!block) throw new TypeError(`CidrSet: invalid CIDR ${JSON.stringify(c)}`);
    if (this.tables[parsed.cidr.family].add(block, parsed.cidr)) this.cidrs.push(parsed.cidr);
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** The most specific block containing `ip`, if any. */
  match(ip: string): Cidr | undefined {
    const addr = parseIp(ip);
    if (!addr) return undefined;
    if (addr.family === 4) return this.tables[4].match(addr.bytes)?.cidr;
    const own = this.tables[6].match(addr.bytes);
    const inner = unmapV4(addr.bytes);
    const mapped = inner ? this.tables[4].match(inner) : undefined;
    if (own && mapped) return own.prefix >= mapped.prefix + 96 ? own.cidr : mapped.cidr;
    return (own ?? mapped)?.cidr;
  }

  has(ip: string): boolean {
    return this.match(ip) !== undefined;
  }
}

class PrefixTable {
  private readonly byPrefix = new Map<number, Map<bigint, Cidr>>();
  /** Longest prefix first, so the first hit is the most specific block. */
  private prefixes: number[] = [];

  /** False when an equal block is already present. */
  add(block: Block, cidr: Cidr): boolean {
    let m = this.byPrefix.get(block.prefix);
    if (!m) {
      m = new Map();
      this.byPrefix.set(block.prefix, m);
      this.prefixes = [...this.byPrefix.keys()].sort((x, y) => y - x);
    }
    const key = bytesKey(maskBytes(block.bytes, block.prefix));
    if (m.has(key)) return false;
    m.set(key, cidr);
    return true;
  }

  match(bytes: Uint8Array): { cidr: Cidr; prefix: number } | undefined {
    for (const p of this.prefixes) {
      const hit = this.byPrefix.get(p)?.get(bytesKey(maskBytes(bytes, p)));
      if (hit) return { cidr: hit, prefix: p };
    }
    return undefined;
  }
}
