import { parseInsideAddress, type ForwardSpec } from "@sesame/core";
import type { SesameDb } from "@sesame/db";

/**
 * Gateway mode's forwards as the UI stored them (the forwards table). The
 * enabled ones go to the firewall; a row the worker cannot use is named once
 * through `warn` and left out (the web app validates them, but a bad row must
 * never fail the reload or reach the kernel).
 */

export interface StoredForward extends ForwardSpec {
  id: number;
  name: string;
}

function isPort(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** The row as a forward, or why not. */
function parseForwardRow(r: Record<string, unknown>): StoredForward | string {
  const { protocol, port, to_port: toPort } = r;
  if (protocol !== "tcp" && protocol !== "udp") return `protocol ${JSON.stringify(protocol)} is not tcp or udp`;
  if (!isPort(port)) return `port ${JSON.stringify(port)} is not 1 to 65535`;
  if (!isPort(toPort)) return `inside port ${JSON.stringify(toPort)} is not 1 to 65535`;
  const address = parseInsideAddress(String(r.to_address));
  if (!address.ok) return address.reason;
  const dnat = r.dnat === 1;
  if (!dnat && toPort !== port) return `without dnat the inside port (${toPort}) must be the port (${port})`;
  return { id: Number(r.id), name: String(r.name), protocol, port, toAddress: address.address, toPort, dnat };
}

/** The enabled, usable forwards, by id. */
export function loadForwards(db: SesameDb, warn: (key: string, msg: string) => void): StoredForward[] {
  const raw = db.$client.prepare("SELECT id, name, protocol, port, to_address, to_port, dnat FROM forwards WHERE enabled = 1 ORDER BY id").all() as Record<string, unknown>[];
  const out: StoredForward[] = [];
  for (const r of raw) {
    const f = parseForwardRow(r);
    if (typeof f === "string") warn(`forward:${String(r.id)}:${f}`, `database: forwards row ${String(r.id)} (${String(r.name)}): ${f}; forward skipped`);
    else out.push(f);
  }
  return out;
}
