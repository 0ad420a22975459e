/**
 * Address canonicalisation for the matcher and the pcap filter. Kept here
 * (instead of importing cidr.ts) so the hot path only pays for it when a
 * door has a Target and the packet's text differs from the configured one.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Canonical IPv4 text ("10.0.0.1") or null. */
function canonicalIpv4(s: string): string | null {
  const m = IPV4.exec(s);
  if (m === null) return null;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((n) => n > 255)) return null;
  return parts.join(".");
}

/** Parses IPv6 text into eight 16-bit groups, or null. */
function parseIpv6Groups(text: string): number[] | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const tail: number[] = [];
  // An embedded IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) >= 0) {
    const v4 = canonicalIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    const b = v4.split(".").map(Number) as [number, number, number, number];
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    s = s.slice(0, lastColon + 1);
    // Keep a trailing "::" (it stands for zero groups); drop a lone separator.
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!HEX_GROUP.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? "");
  if (head === null) return null;
  const want = 8 - tail.length;
  if (halves.length === 1) {
    if (head.length !== want) return null;
    return [...head, ...tail];
  }
  const rest = parse(halves[1] ?? "");
  if (rest === null) return null;
  const missing = want - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest, ...tail];
}

/**
 * Canonical text of an IP address for equality checks: IPv4 as a plain dotted
 * quad, IPv6 as eight lowercase hex groups without leading zeros or "::"
 * (zone ids dropped). Returns null for anything that is not an address.
 */
export function canonicalIp(s: string): string | null {
  const t = s.trim();
  if (t.includes(":")) {
    const groups = parseIpv6Groups(t);
    return groups === null ? null : groups.map((g) => g.toString(16)).join(":");
  }
  return canonicalIpv4(t);
}

/** The address family of a canonical or raw address text (4 or 6), null if invalid. */
export function ipFamily(s: string): 4 | 6 | null {
  const c = canonicalIp(s);
  if (c === null) return null;
  return c.includes(":") ? 6 : 4;
}
