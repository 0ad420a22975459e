import type { FirewallState, Step, TrustedSpec } from "@sesame/core";
import { parseAddress, requireNetwork, type Family } from "./addr";
import { planForwards, type PlannedForward } from "./forward-plan";
import { stepKey } from "./steps";
import type { PlannedTrusted } from "./trusted-ranges";

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
  /** Trusted at `now`, by family; one entry per network (the latest expiry wins, null: never). */
  trusted: Record<Family, PlannedTrusted[]>;
  /** Still running at `now`; one entry per ip+port (the latest expiry wins). */
  grants: PlannedGrant[];
  bans: PlannedBan[];
  /** Already over at `now` (the command backend still has to run their revoke). */
  expiredGrants: PlannedGrant[];
  expiredBans: PlannedBan[];
  /** Gateway mode's forwarded services (see planForwards). */
  forwards: PlannedForward[];
  /** Entries left out, each named with why (reconcile reports them; they never fail the rest). */
  refused: string[];
}

function stepProblem(p: Step): string | null {
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) return `invalid port ${JSON.stringify(p.port)}`;
  if (p.protocol !== "tcp" && p.protocol !== "udp") return `invalid protocol ${JSON.stringify(p.protocol)}`;
  return null;
}

/**
 * Turn the worker's desired state into what a backend writes. Two doors can
 * grant the same ip+port: the kernel holds one element, so the later expiry
 * wins instead of the first one written. A malformed entry (address, port,
 * protocol, non-finite expiry) is left out and listed in `refused`, never
 * thrown: at start-up the rest, and above all the protected ports' drop, must
 * still be installed. Expiries further than `maxTtlMs` away are shortened to
 * that (the backend's kernel refuses longer timeouts).
 */
export function planState(state: FirewallState, now: number, maxTtlMs = Number.POSITIVE_INFINITY): StatePlan {
  const refused: string[] = [];
  const validSteps = (ports: Step[], what: string): Step[] => {
    const out = new Map<string, Step>();
    for (const p of Array.isArray(ports) ? ports : []) {
      const problem = stepProblem(p);
      if (problem) refused.push(`${what}: ${problem}`);
      else out.set(stepKey(p), { port: p.port, protocol: p.protocol });
    }
    if (!Array.isArray(ports)) refused.push(`${what}: ports is not a list`);
    return [...out.values()];
  };
  const expiry = (expiresAt: number): number => Math.min(expiresAt, now + maxTtlMs);
  /** The entry's address, or null (and the reason in `refused`) when its address or expiry is unusable. */
  const checked = (what: string, ip: string, expiresAt: number) => {
    const a = parseAddress(ip);
    if (!a) refused.push(`${what} ${JSON.stringify(ip)}: invalid IP address`);
    else if (!Number.isFinite(expiresAt)) refused.push(`${what} ${a.text}: invalid expiry ${JSON.stringify(expiresAt)}`);
    else return a;
    return null;
  };
  const grants = new Map<string, PlannedGrant>();
  for (const g of state.grants) {
    const a = checked("grant", g.ip, g.expiresAt);
    if (!a) continue;
    for (const step of validSteps(g.ports, `grant ${a.text}`)) {
      const key = `${a.text}|${stepKey(step)}`;
      const prev = grants.get(key);
      const expiresAt = expiry(g.expiresAt);
      if (!prev || prev.expiresAt < expiresAt) grants.set(key, { family: a.family, ip: a.text, step, expiresAt });
    }
  }
  const bans = new Map<string, PlannedBan>();
  for (const b of state.bans) {
    const a = checked("ban", b.ip, b.expiresAt);
    if (!a) continue;
    const prev = bans.get(a.text);
    const expiresAt = expiry(b.expiresAt);
    if (!prev || prev.expiresAt < expiresAt) bans.set(a.text, { family: a.family, ip: a.text, expiresAt });
  }
  const trusted: Record<Family, PlannedTrusted[]> = { 4: [], 6: [] };
  const networks = new Map<string, PlannedTrusted>();
  for (const t of state.trusted) {
    let n;
    try {
      n = requireNetwork(t.cidr);
    } catch {
      refused.push(`trusted ${JSON.stringify(t.cidr)}: invalid network`);
      continue;
    }
    if (t.expiresAt !== null && !Number.isFinite(t.expiresAt)) {
      refused.push(`trusted ${n.text}: invalid expiry ${JSON.stringify(t.expiresAt)}`);
      continue;
    }
    if (t.expiresAt !== null && t.expiresAt <= now) continue;
    const expiresAt = t.expiresAt === null ? null : expiry(t.expiresAt);
    const key = `${n.family}|${n.text}`;
    const prev = networks.get(key);
    if (!prev) {
      const entry = { network: n, expiresAt };
      networks.set(key, entry);
      trusted[n.family].push(entry);
    } else if (prev.expiresAt !== null && (expiresAt === null || expiresAt > prev.expiresAt)) prev.expiresAt = expiresAt;
  }
  const forwards = planForwards(state.forwards);
  refused.push(...forwards.refused);
  const live = <T extends { expiresAt: number }>(xs: Iterable<T>, alive: boolean): T[] => [...xs].filter((x) => x.expiresAt > now === alive);
  return {
    protectedPorts: validSteps(state.protectedPorts, "protected port"),
    trusted,
    grants: live(grants.values(), true),
    bans: live(bans.values(), true),
    expiredGrants: live(grants.values(), false),
    expiredBans: live(bans.values(), false),
    forwards: forwards.forwards,
    refused,
  };
}

/**
 * Trusted entries for setTrusted, split by family with expiries clamped to
 * `maxTtlMs` from `now`; throws RangeError on an invalid one (the worker
 * passes validated entries).
 */
export function planTrusted(entries: TrustedSpec[], now: number, maxTtlMs: number): Record<Family, PlannedTrusted[]> {
  const plan = planState({ protectedPorts: [], trusted: entries, grants: [], bans: [] }, now, maxTtlMs);
  if (plan.refused.length > 0) throw new RangeError(plan.refused.join("; "));
  return plan.trusted;
}
