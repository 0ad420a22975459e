import type { Step } from "@sesame/core";
import type { Family } from "./addr";

/**
 * Scripts for `ipset restore` and `iptables-restore --noflush`. As with nft,
 * every interpolated value was parsed and re-formatted first; set and chain
 * names are checked against IPT_NAME / IPSET_PREFIX.
 */

export const IPT_CHAIN = /^[A-Za-z][A-Za-z0-9_-]{0,22}$/;
export const IPSET_PREFIX = /^[A-Za-z][A-Za-z0-9_-]{0,15}$/;

/** ipset's timeout is a 32-bit count of milliseconds in the kernel: 2147483 s (24.8 days) at most. */
export const IPSET_MAX_TTL_SEC = 2_147_483;

export type SetKind = "grants" | "bans" | "trusted";

export interface IptNames {
  chain: string;
  gate: string;
  set(kind: SetKind, family: Family): string;
}

export function createNames(chain: string, setPrefix: string): IptNames {
  return { chain, gate: `${chain}-GATE`, set: (kind, family) => `${setPrefix}-${kind}${family}` };
}

/**
 * `create` arguments per set, each with per-entry timeouts: hash:ip,port for
 * grants, hash:ip for bans, hash:net for trusted networks (`timeout 0` on an
 * entry: never expires). hash:net matches overlapping networks by any of
 * them, so each keeps its own timeout.
 */
export function setType(kind: SetKind, family: Family): string {
  const fam = family === 4 ? "inet" : "inet6";
  if (kind === "grants") return `hash:ip,port family ${fam} timeout 0`;
  if (kind === "bans") return `hash:ip family ${fam} timeout 0`;
  return `hash:net family ${fam} timeout 0`;
}

/** A trusted entry: its remaining whole seconds (rounded up), 0 for a network that never expires. */
export function trustedEntry(cidr: string, expiresAt: number | null, now: number): string {
  return `${cidr} timeout ${expiresAt === null ? 0 : ipsetSeconds(expiresAt - now)}`;
}

/**
 * Names of sets in `ipset list -t` output whose header has no timeout (an
 * older Sesame made its trusted sets so). `create -exist` refuses to adopt
 * them with the new type, but `swap` takes a set of the same type either way.
 */
export function setsWithoutTimeout(listing: string, wanted: Set<string>): string[] {
  const out: string[] = [];
  for (const block of listing.split(/\n(?=Name: )/)) {
    const name = /^Name: (\S+)/m.exec(block)?.[1];
    const header = /^Header: (.*)$/m.exec(block)?.[1] ?? "";
    if (name && wanted.has(name) && !/(^| )timeout \d+/.test(header)) out.push(name);
  }
  return out;
}

export function grantEntry(ip: string, step: Step): string {
  return `${ip},${step.protocol}:${step.port}`;
}

/** Whole seconds for ipset, rounded up so that a short remainder never becomes 0 (= permanent). */
export function ipsetSeconds(ms: number): number {
  return Math.min(Math.max(1, Math.ceil(ms / 1000)), IPSET_MAX_TTL_SEC);
}

/** Lines that create a set when missing (restore runs with -exist). */
export function ensureSetLines(names: IptNames, families: Family[]): string[] {
  const out: string[] = [];
  for (const f of families) for (const k of ["grants", "bans", "trusted"] as const) out.push(`create ${names.set(k, f)} ${setType(k, f)}`);
  return out;
}

/**
 * Replace a set's content atomically: fill a scratch set, swap it in, drop
 * the scratch. The live set is never seen empty by a packet.
 */
export function replaceSetLines(names: IptNames, kind: SetKind, family: Family, entries: string[]): string[] {
  const live = names.set(kind, family);
  const scratch = `${live}-new`;
  return [
    `create ${live} ${setType(kind, family)}`,
    `create ${scratch} ${setType(kind, family)}`,
    `flush ${scratch}`,
    ...entries.map((e) => `add ${scratch} ${e}`),
    `swap ${scratch} ${live}`,
    `destroy ${scratch}`,
  ];
}

/**
 * Both chains for one family, for `iptables-restore --noflush` (declaring a
 * chain there creates or flushes it, so this is idempotent). The main chain
 * lets established flows through first, then sends only protected ports to
 * the gate. RETURN, never ACCEPT: an ACCEPT would end the host's own INPUT
 * chain too and bypass the admin's later rules; Sesame only ever drops.
 */
export function buildChainRestore(names: IptNames, family: Family, protectedPorts: Step[]): string {
  const { chain, gate } = names;
  return [
    "*filter",
    `:${chain} - [0:0]`,
    `:${gate} - [0:0]`,
    `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
    ...protectedPorts.map((p) => `-A ${chain} -p ${p.protocol} -m ${p.protocol} --dport ${p.port} -j ${gate}`),
    `-A ${gate} -m set --match-set ${names.set("bans", family)} src -j DROP`,
    `-A ${gate} -m set --match-set ${names.set("trusted", family)} src -j RETURN`,
    `-A ${gate} -m set --match-set ${names.set("grants", family)} src,dst -j RETURN`,
    `-A ${gate} -j DROP`,
    "COMMIT",
    "",
  ].join("\n");
}

/** Protected ports from `iptables -S CHAIN` output. */
export function parseProtectedRules(rules: string, names: IptNames): Step[] {
  const out: Step[] = [];
  const re = new RegExp(`^-A ${names.chain} -p (tcp|udp) -m (?:tcp|udp) --dport (\\d+) -j ${names.gate}$`);
  for (const line of rules.split("\n")) {
    const m = re.exec(line.trim());
    if (m) out.push({ protocol: m[1] as Step["protocol"], port: Number(m[2]) });
  }
  return out;
}

export interface IpsetEntry {
  set: string;
  entry: string;
  /** Remaining seconds as ipset prints them; null for sets without timeouts. */
  timeoutSec: number | null;
}

/** `add NAME ENTRY [timeout N]` lines of `ipset save`, for the sets in `wanted`. */
export function parseIpsetSave(text: string, wanted: Set<string>): IpsetEntry[] {
  const out: IpsetEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^add (\S+) (\S+)(?: timeout (\d+))?/.exec(line.trim());
    if (m && wanted.has(m[1]!)) out.push({ set: m[1]!, entry: m[2]!, timeoutSec: m[3] === undefined ? null : Number(m[3]) });
  }
  return out;
}
