import { parseCidr, parseStoredPorts } from "@sesame/core";
import { decodeB64, parseSpaDigest, type SpaCredential, type SpaUser } from "@sesame/core/spa";
import type { SesameDb } from "@sesame/db";

/**
 * The SPA users and their credentials as the UI stored them (users,
 * user_credentials kind 'spa'). A row the worker cannot use (bad key, bad
 * ports or sources) is named once through `warn` and left out: its packets
 * then fail their HMAC like anyone's.
 */
export function loadSpaUsers(db: SesameDb, warn: (key: string, msg: string) => void): SpaUser[] {
  const users = db.$client
    .prepare("SELECT id, name, enabled, expires_at, sources, ports, max_grant_sec, grant_sec, require_source_address FROM users ORDER BY id")
    .all() as Record<string, unknown>[];
  const creds = db.$client
    .prepare("SELECT id, user_id, spa_key, spa_hmac_key, spa_hmac_digest, spa_legacy_no_hmac, expires_at, revoked_at FROM user_credentials WHERE kind = 'spa' ORDER BY id")
    .all() as Record<string, unknown>[];
  const byUser = new Map<number, SpaCredential[]>();
  for (const c of creds) {
    const cred = parseCredential(c);
    if (typeof cred === "string") {
      warn(`cred:${String(c.id)}:${cred}`, `database: user_credentials row ${String(c.id)}: ${cred}; credential skipped`);
      continue;
    }
    const list = byUser.get(Number(c.user_id)) ?? [];
    list.push(cred);
    byUser.set(Number(c.user_id), list);
  }
  const out: SpaUser[] = [];
  for (const u of users) {
    const credentials = byUser.get(Number(u.id));
    if (!credentials) continue;
    const ports = parseStoredPorts(u.ports);
    let sources: unknown;
    try {
      sources = JSON.parse(String(u.sources));
    } catch {
      sources = null;
    }
    const cidrs = Array.isArray(sources) ? sources.map((s) => parseCidr(String(s))) : null;
    if (ports.length === 0 || !cidrs || cidrs.some((c) => !c.ok)) {
      warn(`user:${String(u.id)}`, `database: users row ${String(u.id)} (${String(u.name)}): ${ports.length === 0 ? "ports" : "sources"} unreadable; user skipped`);
      continue;
    }
    const grantSec = Math.max(1, Number(u.grant_sec) || 30);
    const maxGrantSec = Math.max(1, Number(u.max_grant_sec) || 300);
    out.push({
      id: Number(u.id), name: String(u.name), enabled: u.enabled === 1 || u.enabled === true, expiresAt: typeof u.expires_at === "number" ? u.expires_at : null,
      sources: cidrs.map((c) => (c.ok ? c.cidr.text : "")), ports, maxGrantSec, grantSec, credentials,
      requireSourceAddress: u.require_source_address === 1 || u.require_source_address === true,
    });
  }
  return out;
}

function parseCredential(c: Record<string, unknown>): SpaCredential | string {
  const key = typeof c.spa_key === "string" ? decodeB64(c.spa_key) : null;
  if (!key || key.length === 0 || key.length > 32) return "spa_key is not a base64 key of 1 to 32 bytes";
  const hmacKey = typeof c.spa_hmac_key === "string" ? decodeB64(c.spa_hmac_key) : null;
  if (c.spa_hmac_key !== null && (!hmacKey || hmacKey.length === 0 || hmacKey.length > 128)) return "spa_hmac_key is not a base64 key of 1 to 128 bytes";
  const legacy = c.spa_legacy_no_hmac === 1 || c.spa_legacy_no_hmac === true;
  if (!hmacKey && !legacy) return "no HMAC key (and not set to legacy mode)";
  const hmacDigest = parseSpaDigest(typeof c.spa_hmac_digest === "string" ? c.spa_hmac_digest : "sha256");
  if (!hmacDigest) return `unknown HMAC digest ${String(c.spa_hmac_digest)}`;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return { id: Number(c.id), keys: { key, hmacKey: hmacKey ?? null, hmacDigest }, legacyNoHmac: legacy, expiresAt: num(c.expires_at), revokedAt: num(c.revoked_at) };
}
