/**
 * CIDR blocks over the addresses of ip.ts: parsing (host bits cleared),
 * containment and overlap across families (IPv4 inside ::ffff:0:0/96), and
 * CidrSet for longest-prefix lookups.
 */
import { formatIpBytes, isV4Mapped, maskBytes, parseIp } from "./ip";

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
