import type { Step } from "@sesame/core";

/**
 * Ports and timeouts checked before they are written into a script: the
 * interface takes plain data from the worker, so anything odd is a
 * programmer error (RangeError), never something to pass to the kernel.
 */
export function requireSteps(ports: Step[]): Step[] {
  const seen = new Map<string, Step>();
  for (const p of ports) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new RangeError(`invalid port: ${JSON.stringify(p.port)}`);
    if (p.protocol !== "tcp" && p.protocol !== "udp") throw new RangeError(`invalid protocol: ${JSON.stringify(p.protocol)}`);
    seen.set(`${p.protocol}/${p.port}`, { port: p.port, protocol: p.protocol });
  }
  return [...seen.values()];
}

/** A time-to-live in seconds, > 0, clamped to `maxSec` (what the backend's kernel side accepts). */
export function requireTtlSec(ttlSec: number, maxSec: number): number {
  if (!Number.isFinite(ttlSec) || ttlSec <= 0) throw new RangeError(`invalid ttl: ${ttlSec} s (must be > 0)`);
  return Math.min(ttlSec, maxSec);
}

/** Stable key of a step, e.g. `tcp/22`. */
export function stepKey(s: Step): string {
  return `${s.protocol}/${s.port}`;
}
