import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { normalizeIp } from "@sesame/core";

/**
 * What the host's network looks like right now: default-route interfaces,
 * local addresses, interface up/down state. Everything is re-read on every
 * call (cheap files under /proc and /sys) so address and route changes are
 * followed, unlike knockd which reads them once at start.
 */

const RTF_UP = 0x0001;
const RTF_REJECT = 0x0200;

/** Interfaces carrying an IPv4 default route, from /proc/net/route text. */
export function parseIpv4DefaultRoutes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , , mask] = f as [string, string, string, string, string, string, string, string];
    if (dest === "00000000" && mask === "00000000" && (parseInt(flags, 16) & RTF_UP) !== 0 && !out.includes(iface)) out.push(iface);
  }
  return out;
}

/** Interfaces carrying an IPv6 default route, from /proc/net/ipv6_route text. */
export function parseIpv6DefaultRoutes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const dest = f[0] as string;
    const prefix = f[1] as string;
    const flags = parseInt(f[8] as string, 16);
    const iface = f[9] as string;
    // The kernel keeps "unreachable" catch-all routes on lo; they are not a way out.
    if (/^0{32}$/.test(dest) && prefix === "00" && (flags & RTF_UP) !== 0 && (flags & RTF_REJECT) === 0 && iface !== "lo" && !out.includes(iface)) out.push(iface);
  }
  return out;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/** Default-route interfaces (IPv4 first, then IPv6-only ones). */
export function findDefaultRouteInterfaces(ipv4Only = false): string[] {
  const v4 = parseIpv4DefaultRoutes(readOr("/proc/net/route", ""));
  const v6 = ipv4Only ? [] : parseIpv6DefaultRoutes(readOr("/proc/net/ipv6_route", ""));
  return [...v4, ...v6.filter((i) => !v4.includes(i))];
}

/** Every address of every interface, canonical text, no zone ids; sorted so changes compare cheaply. */
export function listLocalAddresses(ipv4Only = false): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (ipv4Only && a.family !== "IPv4") continue;
      const n = normalizeIp(a.address.split("%")[0] as string);
      if (n !== null) out.add(n);
    }
  }
  return [...out].sort();
}

export interface InterfaceProbe {
  exists: boolean;
  up: boolean;
  ifindex: number;
  /**
   * Link down/up transitions so far. A packet socket does not survive an
   * admin down/up silently (it stops receiving), so a change means "reopen".
   */
  carrierChanges: number;
  /** ARPHRD link type (1 Ethernet, 772 loopback, 65534 none/tun, …); 0 when unknown. */
  linkType: number;
}

/** Links libpcap captures as Ethernet (DLT_EN10MB), where a `vlan` filter compiles. */
export function isEthernetLink(linkType: number): boolean {
  return linkType === 1 || linkType === 772;
}

const IFF_UP = 0x1;

/** Reads /sys/class/net/NAME (the netns-local view under `ip netns exec`). */
export function probeInterface(name: string): InterfaceProbe {
  // Interface names never contain "/" (validated by the CLI); guard anyway against path tricks.
  if (name.includes("/") || name === "." || name === "..") return { exists: false, up: false, ifindex: 0, carrierChanges: 0, linkType: 0 };
  const base = `/sys/class/net/${name}`;
  const ifindex = Number(readOr(`${base}/ifindex`, "0").trim());
  if (!ifindex) return { exists: false, up: false, ifindex: 0, carrierChanges: 0, linkType: 0 };
  const flags = parseInt(readOr(`${base}/flags`, "0").trim(), 16);
  const carrierChanges = Number(readOr(`${base}/carrier_changes`, "0").trim()) || 0;
  const linkType = Number(readOr(`${base}/type`, "0").trim()) || 0;
  return { exists: true, up: (flags & IFF_UP) !== 0, ifindex, carrierChanges, linkType };
}
