import type { FirewallState, Step } from "@sesame/core";
import { requireAddress, requireNetwork, type Family } from "./addr";
import { requireSteps, stepKey } from "./steps";

export interface PlannedGrant {
  family: Family;
  ip: string;
  step: Step;
  expiresAt: number;
}

export interface PlannedBan {
  family: Family;
  ip: string;
  expiresAt: number;
}

/** FirewallState validated, canonicalised, de-duplicated and split by family and by expiry. */
export interface StatePlan {
  protectedPorts: Step[];
  trusted: Record<Family, string[]>;
  /** Still running at `now`; one entry per ip+port (the latest expiry wins). */
  grants: PlannedGrant[];
  bans: PlannedBan[];
  /** Already over at `now` (the command backend still has to run their revoke). */
  expiredGrants: PlannedGrant[];
  expiredBans: PlannedBan[];
}

/**
 * Turn the worker's desired state into what a backend writes. Two doors can
 * grant the same ip+port: the kernel holds one element, so the later expiry
 * wins instead of the first one written.
 */
export function planState(state: FirewallState, now: number): StatePlan {
  const grants = new Map<string, PlannedGrant>();
  for (const g of state.grants) {
    const a = requireAddress(g.ip);
    for (const step of requireSteps(g.ports)) {
      const key = `${a.text}|${stepKey(step)}`;
      const prev = grants.get(key);
      if (!prev || prev.expiresAt < g.expiresAt) grants.set(key, { family: a.family, ip: a.text, step, expiresAt: g.expiresAt });
    }
  }
  const bans = new Map<string, PlannedBan>();
  for (const b of state.bans) {
    const a = requireAddress(b.ip);
    const prev = bans.get(a.text);
    if (!prev || prev.expiresAt < b.expiresAt) bans.set(a.text, { family: a.family, ip: a.text, expiresAt: b.expiresAt });
  }
  const trusted: Record<Family, string[]> = { 4: [], 6: [] };
  for (const c of new Set(state.trusted.map((t) => requireNetwork(t)).map((n) => `${n.family}|${n.text}`))) {
    const [family, text] = c.split("|") as [string, string];
    trusted[Number(family) as Family].push(text);
  }
  const live = <T extends { expiresAt: number }>(xs: Iterable<T>, alive: boolean): T[] => [...xs].filter((x) => x.expiresAt > now === alive);
  return {
    protectedPorts: requireSteps(state.protectedPorts),
    trusted,
    grants: live(grants.values(), true),
    bans: live(bans.values(), true),
    expiredGrants: live(grants.values(), false),
    expiredBans: live(bans.values(), false),
  };
}

/** Split canonical network texts by family. */
export function splitNetworks(cidrs: string[]): Record<Family, string[]> {
  return planState({ protectedPorts: [], trusted: cidrs, grants: [], bans: [] }, 0).trusted;
}
