import type { Step } from "@sesame/core";
import type { Family } from "./addr";
import type { StatePlan } from "./plan";

/**
 * nft scripts, fed to `nft -f -` so each change is one atomic transaction.
 * Every value interpolated here was parsed and re-formatted first (addr.ts,
 * steps.ts) and the table name is checked against NFT_NAME.
 */

/** nft identifiers we accept for the table name (no quoting needed, no injection). */
export const NFT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** nft 1.0.6 rejects timeouts of 1e8 s and more; three years is plenty for a ban. */
export const NFT_MAX_TTL_SEC = 3 * 365 * 86_400;

export type NftSet = "protected" | `${"trusted" | "banned" | "grants"}${Family}`;

export function grantElement(ip: string, step: Step): string {
  return `${ip} . ${step.protocol} . ${step.port}`;
}

export function protectedElement(step: Step): string {
  return `${step.protocol} . ${step.port}`;
}

function withTimeout(element: string, ms: number): string {
  return `${element} timeout ${Math.max(1, Math.round(ms))}ms`;
}

function addLine(table: string, set: NftSet, elements: string[]): string[] {
  return elements.length === 0 ? [] : [`add element inet ${table} ${set} { ${elements.join(", ")} }`];
}

/**
 * The whole table, replacing whatever was there in the same transaction
 * (`table` first so that `delete` cannot fail on a fresh host).
 *
 * The input hook chain accepts established/related flows first: an open
 * session outlives its grant and is never cut. Only packets whose protocol
 * and destination port are in @protected ever reach `gate`, so an empty
 * protected set drops nothing, and packets without a transport header are
 * never dropped by Sesame. `accept` here is not final for the host: tables at
 * later priorities still see the packet; only our `drop` is.
 */
export function buildTableScript(table: string, priority: number, plan: StatePlan, now: number): string {
  const t = table;
  const lines = [
    `table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    `  set protected { type inet_proto . inet_service; }`,
    `  set trusted4 { type ipv4_addr; flags interval; auto-merge; }`,
    `  set trusted6 { type ipv6_addr; flags interval; auto-merge; }`,
    `  set banned4 { type ipv4_addr; flags timeout; }`,
    `  set banned6 { type ipv6_addr; flags timeout; }`,
    `  set grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }`,
    `  set grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }`,
    `  chain gate {`,
    `    ip saddr @banned4 drop`,
    `    ip6 saddr @banned6 drop`,
    `    ip saddr @trusted4 accept`,
    `    ip6 saddr @trusted6 accept`,
    `    ip saddr . meta l4proto . th dport @grants4 accept`,
    `    ip6 saddr . meta l4proto . th dport @grants6 accept`,
    `    drop`,
    `  }`,
    `  chain input {`,
    `    type filter hook input priority ${priority}; policy accept;`,
    `    ct state established,related accept`,
    `    meta l4proto . th dport @protected jump gate`,
    `  }`,
    `}`,
    ...addLine(t, "protected", plan.protectedPorts.map(protectedElement)),
  ];
  for (const f of [4, 6] as const) {
    lines.push(...addLine(t, `trusted${f}`, plan.trusted[f]));
    lines.push(...addLine(t, `banned${f}`, plan.bans.filter((b) => b.family === f).map((b) => withTimeout(b.ip, b.expiresAt - now))));
    lines.push(
      ...addLine(t, `grants${f}`, plan.grants.filter((g) => g.family === f).map((g) => withTimeout(grantElement(g.ip, g.step), g.expiresAt - now))),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Insert or refresh elements with a fresh timeout. `add` on an existing
 * element keeps its old timeout, so: add (makes the delete safe), delete,
 * add with the timeout — one transaction, and a set element is unique, so a
 * repeated grant can never stack.
 */
export function buildRefreshScript(table: string, set: NftSet, elements: string[], ttlMs: number): string {
  if (elements.length === 0) return "";
  return [
    ...addLine(table, set, elements),
    `delete element inet ${table} ${set} { ${elements.join(", ")} }`,
    ...addLine(table, set, elements.map((e) => withTimeout(e, ttlMs))),
  ].join("\n") + "\n";
}

/** Remove elements, whether or not they are (still) there: add then delete in one transaction. */
export function buildDeleteScript(table: string, set: NftSet, elements: string[]): string {
  if (elements.length === 0) return "";
  return [...addLine(table, set, elements), `delete element inet ${table} ${set} { ${elements.join(", ")} }`].join("\n") + "\n";
}

/** Replace a set's whole content. */
export function buildReplaceScript(table: string, set: NftSet, elements: string[]): string {
  return [`flush set inet ${table} ${set}`, ...addLine(table, set, elements)].join("\n") + "\n";
}
