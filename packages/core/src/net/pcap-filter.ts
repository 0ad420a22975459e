/**
 * libpcap filter for the capture: only knock packets reach userspace. The
 * filter is a coarse pre-selection; the matcher still checks everything
 * (address per door, flags per door), so over-matching is safe and
 * under-matching is the only real bug.
 */
import type { Door, Protocol, Step, TcpFlag } from "../types";
import { TCP_FLAG_BITS } from "../types";
import { canonicalIp } from "./ip";
import { flagMasks } from "../matcher/state";

/** Matches no real frame (every frame is longer than one byte). */
export const MATCH_NOTHING_FILTER = "less 1";

/** libpcap's names for the bits of tcp[tcpflags]. */
const PCAP_FLAG_NAMES: Record<TcpFlag, string> = {
  fin: "tcp-fin",
  syn: "tcp-syn",
  rst: "tcp-rst",
  psh: "tcp-push",
  ack: "tcp-ack",
  urg: "tcp-urg",
};

/** IPv6 next-header values of extension headers BPF's `tcp dst port` does not walk. */
const IPV6_EXTENSION_HEADERS = [0, 43, 44, 60];

/** The door's active sequence, as the matcher resolves it. */
function activeSequence(door: Door): Step[] {
  if (door.oneTimeSequences === undefined) return door.sequence;
  return door.oneTimeSequences[Math.max(0, door.oneTimeIndex ?? 0)] ?? [];
}

function canonicalOrThrow(address: string, what: string): string {
  const c = canonicalIp(address);
  if (c === null) throw new RangeError(`${what} is not an IP address: "${address}"`);
  return c;
}

function flagNames(bits: number): string {
  const names = (Object.keys(TCP_FLAG_BITS) as TcpFlag[]).filter((f) => (bits & TCP_FLAG_BITS[f]) !== 0).map((f) => PCAP_FLAG_NAMES[f]);
  return names.length === 0 ? "0" : names.length === 1 ? (names[0] ?? "0") : `(${names.join("|")})`;
}

/** One port of the filter; `mask`/`value` set only when every door on the port agrees on the TCP flags. */
interface PortRule {
  protocol: Protocol;
  port: number;
  mask: number;
  value: number;
  agreed: boolean;
}

function collectPorts(doors: Door[]): PortRule[] {
  const rules = new Map<string, PortRule>();
  for (const door of doors) {
    const { set, clear } = flagMasks(door.tcpFlags);
    for (const step of activeSequence(door)) {
      const key = `${step.protocol}:${step.port}`;
      const rule = rules.get(key);
      if (rule === undefined) {
        rules.set(key, { protocol: step.protocol, port: step.port, mask: set | clear, value: set, agreed: true });
      } else if (rule.mask !== (set | clear) || rule.value !== set) {
        rule.agreed = false; // doors disagree: leave flags to the matcher
      }
    }
  }
  return [...rules.values()].sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1));
}

/** Port clause for one family. IPv6 has no tcp[tcpflags]: the flags byte is ip6[53] when TCP follows the fixed header. */
function portClause(rules: PortRule[], family: 4 | 6): string {
  const parts = rules.map((r) => {
    const base = `${r.protocol} dst port ${r.port}`;
    if (r.protocol !== "tcp" || !r.agreed || r.mask === 0) return base;
    const test = family === 4 ? `tcp[tcpflags] & ${flagNames(r.mask)} == ${flagNames(r.value)}` : `ip6[53] & ${r.mask} == ${r.value}`;
    return `(${base} and ${test})`;
  });
  return parts.join(" or ");
}

function dstClause(addresses: string[]): string {
  return addresses.map((a) => `dst host ${a}`).join(" or ");
}

export interface PcapFilterOptions {
  /** The host's own addresses (IPv4 and IPv6; zone ids are ignored). */
  localAddresses: string[];
  /**
   * Also match 802.1Q-tagged frames (default true). libpcap refuses `vlan`
   * on non-Ethernet links (Linux "any"/cooked capture, tun, WireGuard):
   * build with `vlan: false` for those.
   */
  vlan?: boolean;
  /** Also capture SPA datagrams: `udp dst port N` to the host's addresses, with or without doors. */
  spaPort?: number;
}

/**
 * Builds the BPF filter for the knock capture: enabled doors' sequence ports
 * (with TCP flag preconditions where all doors on a port agree), addressed
 * to the host's addresses or a door's Target, over IPv4 and IPv6, plain and
 * 802.1Q-tagged, plus IPv6 packets with extension headers (BPF cannot find
 * their ports; the decoder can). Returns "less 1" (nothing) when no door is
 * active. Throws RangeError for an address that is not an IP address.
 * Without `vlan: false` the filter only compiles for Ethernet links.
 * Rebuild it when addresses or doors change, and after a one-time sequence
 * is used (only the active one-time sequence is in the filter).
 */
export function buildPcapFilter(doors: Door[], opts: PcapFilterOptions): string {
  const active = doors.filter((d) => d.enabled && activeSequence(d).length > 0);
  const spa = opts.spaPort;
  if (active.length === 0 && spa === undefined) return MATCH_NOTHING_FILTER;

  const addresses = new Set(opts.localAddresses.map((a) => canonicalOrThrow(a, "local address")));
  for (const d of active) if (d.target !== undefined) addresses.add(canonicalOrThrow(d.target, `target of door "${d.name}"`));
  // Doors bound to "the host" with no host address known: capture any destination, the matcher decides.
  const anyDestination = opts.localAddresses.length === 0 && (spa !== undefined || active.some((d) => d.target === undefined));
  const v4 = [...addresses].filter((a) => !a.includes(":"));
  const v6 = [...addresses].filter((a) => a.includes(":"));

  const rules = collectPorts(active);
  if (spa !== undefined && !rules.some((r) => r.protocol === "udp" && r.port === spa)) {
    rules.push({ protocol: "udp", port: spa, mask: 0, value: 0, agreed: true });
    rules.sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1));
  }
  const branches: string[] = [];
  if (anyDestination || v4.length > 0) {
    const dst = anyDestination ? "" : ` and (${dstClause(v4)})`;
    branches.push(`(ip${dst} and (${portClause(rules, 4)}))`);
  }
  if (anyDestination || v6.length > 0) {
    const dst = anyDestination ? "" : ` and (${dstClause(v6)})`;
    branches.push(`(ip6${dst} and (${portClause(rules, 6)}))`);
    const ext = IPV6_EXTENSION_HEADERS.map((h) => `ip6[6] == ${h}`).join(" or ");
    branches.push(`(ip6 and (${ext})${dst})`);
  }
  const base = branches.join(" or ");
  return opts.vlan === false ? base : `${base} or (vlan and (${base}))`;
}
