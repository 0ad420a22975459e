import type { PlannedForward } from "./forward-plan";

/**
 * Gateway mode's part of the nft table. The sets and the `fgate` chain are
 * always in the structure (no hook, so they cost nothing); the two base
 * chains exist only while there are forwards, so a host that is no gateway
 * registers no forward or nat hook at all.
 *
 * - `forward` (filter hook forward): established/related first (an open
 *   session is never cut), then new connections whose post-NAT destination
 *   (address . protocol . port) is a forwarded service go to `fgate`.
 * - `fgate`: the input gate's order (banned, trusted, granted, drop), but the
 *   grant is looked up with the pre-NAT destination port (`ct original
 *   proto-dst`): a grant naming the public port covers the DNATed connection,
 *   so one kernel-timeout element opens both. nft types `ct original
 *   proto-dst` only with a transport protocol in context, hence a rule per
 *   protocol.
 * - `prerouting` (nat hook, dstnat): (protocol, port) addressed to one of
 *   this host's own addresses goes to the forward's inside address and port.
 *   Everything is rewritten; the forward hook decides who gets through.
 */

export const FGATE_CHAIN = [
  `  chain fgate {`,
  `    ip saddr @banned4 drop`,
  `    ip6 saddr @banned6 drop`,
  `    ip saddr @trusted4 accept`,
  `    ip6 saddr @trusted6 accept`,
  ...(["ip", "ip6"] as const).flatMap((fam) =>
    (["tcp", "udp"] as const).map((p) => `    meta l4proto ${p} ${fam} saddr . meta l4proto . ct original proto-dst @grants${fam === "ip" ? 4 : 6} accept`),
  ),
  `    drop`,
  `  }`,
];

export const FORWARD_SETS = [
  `  set forwarded4 { type ipv4_addr . inet_proto . inet_service; }`,
  `  set forwarded6 { type ipv6_addr . inet_proto . inet_service; }`,
  `  map dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
  `  map dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service; }`,
];

/** The destination the forward hook gates: the inside address, protocol and (post-NAT) port. */
export function forwardedElement(f: PlannedForward): string {
  return `${f.toAddress} . ${f.protocol} . ${f.dnat ? f.toPort : f.port}`;
}

/** The nat map's element: public (protocol . port) to inside (address . port). */
export function dnatElement(f: PlannedForward): string {
  return `${f.protocol} . ${f.port} : ${f.toAddress} . ${f.toPort}`;
}

export interface ForwardScriptOptions {
  /** Include the nat chain and map (false: gate only, when the kernel refused nat; the maps are emptied, the nat chain not touched). */
  nat: boolean;
  /** Right after the table was created: nothing to flush or delete. */
  fresh: boolean;
}

/**
 * Make the table's gateway part match `forwards`, in one transaction: the
 * sets' content replaced and each base chain created (its rules rewritten)
 * or removed. `add chain` before `delete chain` makes the delete safe when
 * the chain is not there (nft 1.0.6 has no `destroy`).
 */
export function buildForwardsScript(table: string, priority: number, forwards: PlannedForward[], o: ForwardScriptOptions): string {
  const t = table;
  const lines: string[] = [];
  const dnat = o.nat ? forwards.filter((f) => f.dnat) : [];
  for (const f of [4, 6] as const) {
    const fwd = forwards.filter((x) => x.family === f).map(forwardedElement);
    const map = dnat.filter((x) => x.family === f).map(dnatElement);
    if (!o.fresh) lines.push(`flush set inet ${t} forwarded${f}`, `flush map inet ${t} dnat${f}`);
    if (fwd.length > 0) lines.push(`add element inet ${t} forwarded${f} { ${[...new Set(fwd)].join(", ")} }`);
    if (map.length > 0) lines.push(`add element inet ${t} dnat${f} { ${map.join(", ")} }`);
  }
  const chain = (name: string, spec: string, rules: string[]): void => {
    if (rules.length === 0 && o.fresh) return;
    lines.push(`add chain inet ${t} ${name} { ${spec} }`);
    if (!o.fresh) lines.push(`flush chain inet ${t} ${name}`);
    if (rules.length === 0) lines.push(`delete chain inet ${t} ${name}`);
    for (const r of rules) lines.push(`add rule inet ${t} ${name} ${r}`);
  };
  chain(
    "forward",
    `type filter hook forward priority ${priority}; policy accept;`,
    forwards.length === 0
      ? []
      : ["ct state established,related accept", "ip daddr . meta l4proto . th dport @forwarded4 jump fgate", "ip6 daddr . meta l4proto . th dport @forwarded6 jump fgate"],
  );
  // Without nat (the kernel refused it) the nat chain is left alone: creating it, even to delete it, is what fails.
  if (!o.nat) return lines.length === 0 ? "" : lines.join("\n") + "\n";
  chain(
    "prerouting",
    "type nat hook prerouting priority dstnat; policy accept;",
    dnat.length === 0
      ? []
      : ["fib daddr type local dnat ip to meta l4proto . th dport map @dnat4", "fib daddr type local dnat ip6 to meta l4proto . th dport map @dnat6"],
  );
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
