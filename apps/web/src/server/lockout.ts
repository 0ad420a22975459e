import "server-only";
import { CidrSet, type Step } from "@sesame/core";
import { doors, forwards, trustedNetworks, users } from "@sesame/db";
import type { Reader } from "./settings";

/**
 * Ports dropped unless trusted/granted: union of enabled open doors' ports, every user's ports and the public
 * port of every enabled DNAT forward (as the worker protects them; a routed forward's port is the inside host's).
 */
export function readProtectedPorts(tx: Reader): Step[] {
  const seen = new Map<string, Step>();
  for (const d of tx.select().from(doors).all()) {
    if (!d.enabled || d.action !== "open") continue;
    for (const p of d.openPorts ?? []) seen.set(`${p.protocol}/${p.port}`, p);
  }
  for (const u of tx.select({ ports: users.ports }).from(users).all()) {
    for (const p of Array.isArray(u.ports) ? u.ports : []) seen.set(`${p.protocol}/${p.port}`, p);
  }
  for (const f of tx.select().from(forwards).all()) {
    if (f.enabled && f.dnat) seen.set(`${f.protocol}/${f.port}`, { port: f.port, protocol: f.protocol });
  }
  return [...seen.values()];
}

export function readActiveTrusted(tx: Reader, now: number): string[] {
  return tx
    .select()
    .from(trustedNetworks)
    .all()
    .filter((t) => t.expiresAt == null || t.expiresAt > now)
    .map((t) => t.cidr);
}

export function isAddressTrusted(cidrs: string[], ip: string): boolean {
  try {
    return new CidrSet(cidrs).has(ip);
  } catch {
    return false;
  }
}

export interface LockoutSnapshot {
  protectedKeys: Set<string>;
  covered: boolean;
}

export function snapshotLockout(tx: Reader, adminIp: string, now: number): LockoutSnapshot {
  return {
    protectedKeys: new Set(readProtectedPorts(tx).map((p) => `${p.port}/${p.protocol}`)),
    covered: isAddressTrusted(readActiveTrusted(tx, now), adminIp),
  };
}

/**
 * "A firewall appliance that locks its operator out is broken": a change is
 * risky when afterwards some port is protected that was not before (or the
 * admin just lost trusted coverage while ports are protected) and no active
 * trusted network covers the admin's own address. Returns the ports at risk.
 */
export function lockoutRisk(before: LockoutSnapshot, after: LockoutSnapshot): string[] | null {
  if (after.covered || after.protectedKeys.size === 0) return null;
  const newlyProtected = [...after.protectedKeys].filter((k) => !before.protectedKeys.has(k));
  if (newlyProtected.length > 0) return newlyProtected;
  if (before.covered) return [...after.protectedKeys];
  return null;
}

export class LockoutRiskError extends Error {
  constructor(
    readonly adminIp: string,
    readonly ports: string[],
  ) {
    super(
      `Your address ${adminIp} is not in any trusted network. This change protects ${ports.join(", ")}: ` +
        `if you reach this appliance through ${ports.length === 1 ? "that port" : "those ports"}, you will be locked out. ` +
        `Add a trusted network for your address first, or tick the box to confirm.`,
    );
  }
}

/**
 * Runs `change` inside a config transaction between two snapshots; throws
 * LockoutRiskError (rolling the transaction back) when it would lock
 * `address` out and nobody confirmed.
 */
export function guardLockout<T>(tx: Reader, address: string, now: number, confirmed: boolean, change: () => T): T {
  const before = snapshotLockout(tx, address, now);
  const result = change();
  const risk = lockoutRisk(before, snapshotLockout(tx, address, now));
  if (risk && !confirmed) throw new LockoutRiskError(address, risk);
  return result;
}
