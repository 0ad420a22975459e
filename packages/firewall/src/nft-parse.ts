import { parseAddress, rangeToCidrs } from "./addr";
import type { ForwardSpec } from "@sesame/core";
import type { KernelSnapshot } from "./types";

/**
 * Parse `nft -j list table inet NAME` into a KernelSnapshot. nft 1.0.6 prints
 * `expires` in whole seconds (truncated), so expiresInMs is a multiple of
 * 1000 and never more than the real remaining time.
 */

type Json = unknown;

interface SetObject {
  name: string;
  elem?: Json[];
}

/** A forward from the kernel's sets: dnat map entries, then gated destinations no dnat entry explains. */
function parseForwards(sets: Map<string, Json[]>): ForwardSpec[] {
  const out: ForwardSpec[] = [];
  const covered = new Set<string>();
  for (const name of ["dnat4", "dnat6"]) {
    for (const e of sets.get(name) ?? []) {
      if (!Array.isArray(e) || e.length !== 2) continue;
      const [proto, port] = concat(e[0]);
      const [toAddress, toPortRaw] = concat(e[1]);
      const protocol = protocolName(proto);
      const p = portNumber(port);
      const toPort = portNumber(toPortRaw);
      if (!protocol || !p || !toPort || typeof toAddress !== "string") continue;
      out.push({ protocol, port: p, toAddress, toPort, dnat: true });
      covered.add(`${toAddress}|${protocol}|${toPort}`);
    }
  }
  for (const name of ["forwarded4", "forwarded6"]) {
    for (const e of sets.get(name) ?? []) {
      const [toAddress, proto, port] = concat(unwrap(e).val);
      const protocol = protocolName(proto);
      const p = portNumber(port);
      if (!protocol || !p || typeof toAddress !== "string" || covered.has(`${toAddress}|${protocol}|${p}`)) continue;
      out.push({ protocol, port: p, toAddress, toPort: p, dnat: false });
    }
  }
  return out;
}

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** `{elem: {val, timeout, expires}}` or a bare value. */
function unwrap(e: Json): { val: Json; expiresInMs: number | null } {
  if (isObject(e) && isObject(e.elem)) {
    const expires = e.elem.expires;
    return { val: e.elem.val, expiresInMs: typeof expires === "number" ? expires * 1000 : null };
  }
  return { val: e, expiresInMs: null };
}

function protocolName(p: Json): "tcp" | "udp" | null {
  if (p === "tcp" || p === 6) return "tcp";
  if (p === "udp" || p === 17) return "udp";
  return null;
}

function portNumber(p: Json): number | null {
  const n = typeof p === "number" ? p : typeof p === "string" && /^\d+$/.test(p) ? Number(p) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** A trusted element: address, `{prefix}` or `{range}` (auto-merge can produce ranges). */
function networkTexts(val: Json): string[] {
  if (typeof val === "string") return parseAddress(val) ? [val] : [];
  if (isObject(val) && isObject(val.prefix)) return [`${String(val.prefix.addr)}/${String(val.prefix.len)}`];
  if (isObject(val) && Array.isArray(val.range)) {
    const a = parseAddress(String(val.range[0]));
    const b = parseAddress(String(val.range[1]));
    return a && b && a.family === b.family ? rangeToCidrs(a.family, a.value, b.value) : [];
  }
  return [];
}

function concat(val: Json): Json[] {
  return isObject(val) && Array.isArray(val.concat) ? val.concat : [];
}

/** Parse nft's JSON output; throws when it is not the expected document. */
export function parseNftTable(jsonText: string): KernelSnapshot {
  const doc = JSON.parse(jsonText) as Json;
  if (!isObject(doc) || !Array.isArray(doc.nftables)) throw new Error("unexpected nft JSON: no nftables array");
  const sets = new Map<string, Json[]>();
  for (const item of doc.nftables) {
    const obj = isObject(item) ? (isObject(item.set) ? item.set : isObject(item.map) ? item.map : null) : null;
    if (obj) {
      const s = obj as unknown as SetObject;
      sets.set(s.name, s.elem ?? []);
    }
  }
  const snapshot: KernelSnapshot = { protectedPorts: [], trusted: [], grants: [], bans: [], forwards: parseForwards(sets) };
  for (const e of sets.get("protected") ?? []) {
    const [proto, port] = concat(unwrap(e).val);
    const protocol = protocolName(proto);
    const p = portNumber(port);
    if (protocol && p) snapshot.protectedPorts.push({ protocol, port: p });
  }
  for (const name of ["trusted4", "trusted6"]) {
    for (const e of sets.get(name) ?? []) {
      const { val, expiresInMs } = unwrap(e);
      for (const cidr of networkTexts(val)) snapshot.trusted.push({ cidr, expiresInMs });
    }
  }
  for (const name of ["grants4", "grants6"]) {
    for (const e of sets.get(name) ?? []) {
      const { val, expiresInMs } = unwrap(e);
      const [ip, proto, port] = concat(val);
      const protocol = protocolName(proto);
      const p = portNumber(port);
      if (typeof ip === "string" && protocol && p) snapshot.grants.push({ ip, protocol, port: p, expiresInMs });
    }
  }
  for (const name of ["banned4", "banned6"]) {
    for (const e of sets.get(name) ?? []) {
      const { val, expiresInMs } = unwrap(e);
      if (typeof val === "string") snapshot.bans.push({ ip: val, expiresInMs });
    }
  }
  return snapshot;
}
