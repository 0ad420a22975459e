import type { ForwardSpec } from "@sesame/core";
import { parseAddress, type Family } from "./addr";

/** A forward checked and canonicalised, with its family (which sets it goes into). */
export interface PlannedForward {
  family: Family;
  protocol: "tcp" | "udp";
  port: number;
  toAddress: string;
  toPort: number;
  dnat: boolean;
}

function isPort(p: unknown): p is number {
  return typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** What is wrong with `f`, or null. */
function forwardProblem(f: ForwardSpec): string | null {
  if (f.protocol !== "tcp" && f.protocol !== "udp") return `invalid protocol ${JSON.stringify(f.protocol)}`;
  if (!isPort(f.port)) return `invalid port ${JSON.stringify(f.port)}`;
  if (!isPort(f.toPort)) return `invalid inside port ${JSON.stringify(f.toPort)}`;
  if (typeof f.dnat !== "boolean") return `invalid dnat ${JSON.stringify(f.dnat)}`;
  if (!f.dnat && f.toPort !== f.port) return `without dnat the inside port must be the port (${f.port}, not ${f.toPort})`;
  return null;
}

/**
 * Forwards as the backend writes them. A malformed one is left out and named
 * in `refused` (never thrown: the rest must still be installed), and so is a
 * second dnat forward of the same (family, protocol, port): the kernel's map
 * holds one target per key, and which one wins must not depend on order.
 * Identical entries collapse into one.
 */
export function planForwards(forwards: ForwardSpec[] | undefined): { forwards: PlannedForward[]; refused: string[] } {
  const refused: string[] = [];
  const out = new Map<string, PlannedForward>();
  const dnatKeys = new Map<string, PlannedForward>();
  for (const f of Array.isArray(forwards) ? forwards : []) {
    const what = `forward ${String(f.protocol)}/${String(f.port)} -> ${String(f.toAddress)}:${String(f.toPort)}`;
    const problem = forwardProblem(f);
    const a = problem ? null : parseAddress(f.toAddress);
    if (problem || !a) {
      refused.push(`${what}: ${problem ?? "invalid inside address"}`);
      continue;
    }
    const p: PlannedForward = { family: a.family, protocol: f.protocol, port: f.port, toAddress: a.text, toPort: f.toPort, dnat: f.dnat };
    const key = `${p.family}|${p.protocol}|${p.port}|${p.toAddress}|${p.toPort}|${p.dnat}`;
    if (out.has(key)) continue;
    if (p.dnat) {
      const dk = `${p.family}|${p.protocol}|${p.port}`;
      const taken = dnatKeys.get(dk);
      if (taken) {
        refused.push(`${what}: ${p.protocol}/${p.port} is already forwarded to ${taken.toAddress}:${taken.toPort}`);
        continue;
      }
      dnatKeys.set(dk, p);
    }
    out.set(key, p);
  }
  return { forwards: [...out.values()], refused };
}

/** planForwards that throws RangeError on a bad entry (setForwards' callers pass validated ones). */
export function requireForwards(forwards: ForwardSpec[]): PlannedForward[] {
  const plan = planForwards(forwards);
  if (plan.refused.length > 0) throw new RangeError(plan.refused.join("; "));
  return plan.forwards;
}

/** The refusal of a backend without gateway mode, one sentence. */
export function gatewayUnsupported(backend: string, count: number): string {
  return `gateway mode needs the nftables backend: ${backend} cannot forward, ${count} forward${count === 1 ? "" : "s"} left out`;
}
