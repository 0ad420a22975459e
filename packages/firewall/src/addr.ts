import { isIP } from "node:net";

/**
 * Address handling for the backends. Every address or network that reaches an
 * nft/ipset script goes through these parsers first, so a caller's string can
 * never smuggle syntax into a script: what is written back is re-formatted
 * from numbers.
 */
export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
  /** Canonical text (dotted quad, RFC 5952 IPv6). */
  text: string;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseV4(s: string): bigint {
  return s.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(s: string): bigint {
  // Rewrite an embedded dotted quad as two hex groups, then expand `::`.
  const text = s.replace(/(\d+\.\d+\.\d+\.\d+)$/, (q) => {
    const v4 = parseV4(q);
    return `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  });
  const groups = (g: string): number[] => (g === "" ? [] : g.split(":").map((h) => parseInt(h, 16)));
  const halves = text.split("::");
  const left = groups(halves[0]!);
  const right = halves.length > 1 ? groups(halves[1]!) : [];
  const zeros = halves.length > 1 ? Array<number>(8 - left.length - right.length).fill(0) : [];
  return [...left, ...zeros, ...right].reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Format a numeric address: dotted quad, or RFC 5952 (lowercase, longest zero run as `::`). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const g = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Parse one IP address; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4. Null when invalid. */
export function parseAddress(s: string): Address | null {
  if (typeof s !== "string" || s.includes("%")) return null;
  const kind = isIP(s);
  if (kind === 4) {
    const value = parseV4(s);
    return { family: 4, value, text: formatAddress(4, value) };
  }
  if (kind !== 6) return null;
  const value = parseV6(s.toLowerCase());
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn, text: formatAddress(4, value & 0xffffffffn) };
  return { family: 6, value, text: formatAddress(6, value) };
}

/** parseAddress that throws RangeError: the backends' callers must pass addresses. */
export function requireAddress(s: string): Address {
  const a = parseAddress(s);
  if (!a) throw new RangeError(`invalid IP address: ${JSON.stringify(s)}`);
  return a;
}

export interface Network {
  family: Family;
  prefix: number;
  network: bigint;
  /** `a.b.c.d/n` with host bits cleared, or the bare address for a full-length prefix. */
  text: string;
}

/** Parse `addr` or `addr/prefix` (host bits are cleared); throws RangeError when invalid. */
export function requireNetwork(s: string): Network {
  const [addrText, prefixText, extra] = String(s).split("/");
  const a = parseAddress(addrText ?? "");
  const bits = a ? BITS[a.family] : 0;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  // An IPv4-mapped IPv6 network keeps only the IPv4 part of its prefix.
  const adjusted = a && a.family === 4 && isIP(addrText ?? "") === 6 && prefixText !== undefined ? prefix - 96 : prefix;
  if (!a || extra !== undefined || adjusted < 0 || adjusted > bits) throw new RangeError(`invalid network: ${JSON.stringify(s)}`);
  const mask = adjusted === 0 ? 0n : ((1n << BigInt(adjusted)) - 1n) << BigInt(bits - adjusted);
  const network = a.value & mask;
  const text = adjusted === bits ? formatAddress(a.family, network) : `${formatAddress(a.family, network)}/${adjusted}`;
  return { family: a.family, prefix: adjusted, network, text };
}

/** Smallest list of CIDR blocks covering [start, end] (nft prints merged intervals as ranges). */
export function rangeToCidrs(family: Family, start: bigint, end: bigint): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  let cur = start;
  // At most 2 * bits blocks cover any range; the bound keeps a bad input from spinning.
  for (let i = 0; i <= 2 * bits && cur <= end; i++) {
    let size = bits;
    while (size > 0) {
      const block = 1n << BigInt(size);
      if (cur % block === 0n && cur + block - 1n <= end) break;
      size--;
    }
    const prefix = bits - size;
    out.push(prefix === bits ? formatAddress(family, cur) : `${formatAddress(family, cur)}/${prefix}`);
    cur += 1n << BigInt(size);
  }
  return out;
}
