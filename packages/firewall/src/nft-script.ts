import type { Step } from "@sesame/core";
import type { Family } from "./addr";
import { FGATE_CHAIN, FORWARD_SETS } from "./nft-forward";
import type { StatePlan } from "./plan";
import { disjointTrusted, type PlannedTrusted } from "./trusted-ranges";

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

/**
 * nft (1.0.6) refuses any single unit count of 1e8 or more: `100000000ms`
 * (27.8 h) is "value too large" although `31536000s` is fine. So seconds and
 * the millisecond remainder are written apart (`86400s`, `1s500ms`); with
 * NFT_MAX_TTL_SEC below 1e8 s no count can overflow.
 */
export function nftTimeout(ms: number): string {
  const total = Math.min(Math.max(1, Math.round(ms)), NFT_MAX_TTL_SEC * 1000);
  const sec = Math.floor(total / 1000);
  const rest = total % 1000;
  if (sec === 0) return `${rest}ms`;
  return rest === 0 ? `${sec}s` : `${sec}s${rest}ms`;
}

function withTimeout(element: string, ms: number): string {
  return `${element} timeout ${nftTimeout(ms)}`;
}

function addLine(table: string, set: NftSet, elements: string[]): string[] {
  return elements.length === 0 ? [] : [`add element inet ${table} ${set} { ${elements.join(", ")} }`];
}

/**
 * The table's structure, replacing whatever was there in the same
 * transaction (`table` first so that `delete` cannot fail on a fresh host),
 * with the protected ports and nothing else: whether protected ports are
 * dropped must not depend on any grant, ban or trusted element, so those are
 * added afterwards (buildAddScript, element by element if a batch fails).
 *
 * The input hook chain accepts established/related flows first: an open
 * session outlives its grant and is never cut. Only packets whose protocol
 * and destination port are in @protected ever reach `gate`, so an empty
 * protected set drops nothing, and packets without a transport header are
 * never dropped by Sesame. The trusted sets carry timeouts (an expiring
 * network leaves even with the worker dead) and no auto-merge: it would give
 * a merged interval one timeout (trustedElements writes a disjoint cover). `accept` here is not final for the host: tables at
 * later priorities still see the packet; only our `drop` is. Gateway mode's
 * sets and gate are here too (nft-forward.ts); its hooked chains are not.
 */
export function buildStructureScript(table: string, priority: number, protectedElements: string[]): string {
  const t = table;
  const lines = [
    `table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    `  set protected { type inet_proto . inet_service; }`,
    `  set trusted4 { type ipv4_addr; flags interval, timeout; }`,
    `  set trusted6 { type ipv6_addr; flags interval, timeout; }`,
    `  set banned4 { type ipv4_addr; flags timeout; }`,
    `  set banned6 { type ipv6_addr; flags timeout; }`,
    `  set grants4 { type ipv4_addr . inet_proto . inet_service; flags timeout; }`,
    `  set grants6 { type ipv6_addr . inet_proto . inet_service; flags timeout; }`,
    ...FORWARD_SETS,
    `  chain gate {`,
    `    ip saddr @banned4 drop`,
    `    ip6 saddr @banned6 drop`,
    `    ip saddr @trusted4 accept`,
    `    ip6 saddr @trusted6 accept`,
    `    ip saddr . meta l4proto . th dport @grants4 accept`,
    `    ip6 saddr . meta l4proto . th dport @grants6 accept`,
    `    drop`,
    `  }`,
    ...FGATE_CHAIN,
    `  chain input {`,
    `    type filter hook input priority ${priority}; policy accept;`,
    `    ct state established,related accept`,
    `    meta l4proto . th dport @protected jump gate`,
    `  }`,
    `}`,
    ...addLine(t, "protected", protectedElements),
  ];
  return lines.join("\n") + "\n";
}

/** One element to add to one set (its timeout, if any, inside `element`). */
export interface NftItem {
  set: NftSet;
  element: string;
}

/**
 * The plan's state elements in the order they are added after the
 * structure: bans first (they win over everything in `gate`), then trusted
 * networks, then grants with their remaining time.
 */
export function planElements(plan: StatePlan, now: number): NftItem[] {
  const out: NftItem[] = [];
  for (const f of [4, 6] as const) for (const b of plan.bans) if (b.family === f) out.push({ set: `banned${f}`, element: withTimeout(b.ip, b.expiresAt - now) });
  for (const f of [4, 6] as const) for (const element of trustedElements(f, plan.trusted[f], now)) out.push({ set: `trusted${f}`, element });
  for (const f of [4, 6] as const) {
    for (const g of plan.grants) if (g.family === f) out.push({ set: `grants${f}`, element: withTimeout(grantElement(g.ip, g.step), g.expiresAt - now) });
  }
  return out;
}

/** One family's trusted networks as set elements: disjoint blocks, each with its remaining time (none: never expires). */
export function trustedElements(family: Family, trusted: PlannedTrusted[], now: number): string[] {
  return disjointTrusted(family, trusted).map((b) => (b.expiresAt === null ? b.cidr : withTimeout(b.cidr, b.expiresAt - now)));
}

/** `add element` lines for `items`, one line per set, in the items' order. */
export function buildAddScript(table: string, items: NftItem[]): string {
  const bySet = new Map<NftSet, string[]>();
  for (const i of items) {
    const list = bySet.get(i.set) ?? [];
    list.push(i.element);
    bySet.set(i.set, list);
  }
  const lines = [...bySet].flatMap(([set, elements]) => addLine(table, set, elements));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
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
