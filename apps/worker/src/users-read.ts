import { CidrSet, MAX_GRANT_SEC, decodeBase32, parseNetwork, parseStoredPorts, type Step } from "@sesame/core";
import type { SesameDb } from "@sesame/db";

/**
 * The TOTP credentials the worker runs rotating sequences for, read from
 * users and user_credentials and checked one by one (the web app validates
 * them, but a bad row must be named and skipped, never fail the reload).
 * Revoked credentials are not read at all; disabled and expired users are,
 * so their state is decided in one place (RotatingDoors).
 */

export interface TotpCredential {
  credentialId: number;
  userId: number;
  userName: string;
  enabled: boolean;
  /** The earlier of the user's expiry and the credential's (rotation grace); null = never. */
  expiresAt: number | null;
  /** Empty: any source. */
  sources: CidrSet;
  ports: Step[];
  grantSec: number;
  secret: Uint8Array;
}

interface Row {
  credential_id: number;
  user_id: number;
  name: string;
  enabled: number;
  user_expires_at: number | null;
  credential_expires_at: number | null;
  sources: string;
  ports: string;
  max_grant_sec: number;
  grant_sec: number;
  totp_secret: string | null;
}

/** Usable credentials, and a sentence for each row that is not. */
export function loadTotpCredentials(db: SesameDb): { rows: TotpCredential[]; rejected: { id: number; reason: string }[] } {
  const raw = db.$client
    .prepare(
      `SELECT c.id AS credential_id, u.id AS user_id, u.name, u.enabled, u.expires_at AS user_expires_at, c.expires_at AS credential_expires_at,
              u.sources, u.ports, u.max_grant_sec, u.grant_sec, c.totp_secret
         FROM user_credentials c JOIN users u ON u.id = c.user_id
        WHERE c.kind = 'totp' AND c.revoked_at IS NULL
        ORDER BY c.id`,
    )
    .all() as Row[];
  const rows: TotpCredential[] = [];
  const rejected: { id: number; reason: string }[] = [];
  for (const r of raw) {
    const parsed = parseRow(r);
    if (typeof parsed === "string") rejected.push({ id: r.credential_id, reason: `user ${r.name}: ${parsed}` });
    else rows.push(parsed);
  }
  return { rows, rejected };
}

function parseRow(r: Row): TotpCredential | string {
  const secret = decodeBase32(r.totp_secret ?? "");
  if (!secret.ok) return `the TOTP secret is not base32 (${secret.reason})`;
  if (secret.bytes.length < 10) return "the TOTP secret is shorter than 80 bits";
  const ports = parseStoredPorts(r.ports);
  if (ports.length === 0) return "ports is not a list of ports";
  let list: unknown;
  try {
    list = JSON.parse(String(r.sources));
  } catch {
    return "sources is not JSON";
  }
  if (!Array.isArray(list)) return "sources is not a list";
  const sources = new CidrSet();
  for (const s of list) {
    const n = parseNetwork(String(s));
    if (!n.ok) return `source ${String(s)}: ${n.reason}`;
    sources.add(n.cidr);
  }
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const ends = [num(r.user_expires_at), num(r.credential_expires_at)].filter((v): v is number => v !== null);
  const maxGrant = Math.min(MAX_GRANT_SEC, Math.max(1, Math.floor(num(r.max_grant_sec) ?? 300)));
  const grantSec = Math.min(maxGrant, Math.max(1, Math.floor(num(r.grant_sec) ?? 30)));
  return {
    credentialId: r.credential_id,
    userId: r.user_id,
    userName: String(r.name),
    enabled: r.enabled === 1,
    expiresAt: ends.length === 0 ? null : Math.min(...ends),
    sources,
    ports,
    grantSec,
    secret: secret.bytes,
  };
}

/** Every user's ports (enabled or not): protected ports. */
export function loadUserPorts(db: SesameDb): Step[] {
  const raw = db.$client.prepare("SELECT ports FROM users ORDER BY id").all() as { ports: unknown }[];
  return raw.flatMap((r) => parseStoredPorts(r.ports));
}

/** Rotating-sequence windows already used and still acceptable (so still refused), for a restart. */
export function loadUsedTotpWindows(db: SesameDb, now: number): Map<string, number> {
  const raw = db.$client.prepare("SELECT key, expires_at FROM replay_cache WHERE key LIKE 'totp:%' AND expires_at > ?").all(now) as { key: string; expires_at: number }[];
  return new Map(raw.map((r) => [r.key, r.expires_at]));
}

/** A window was used: remember it (until it cannot be accepted anyway) and when the credential was last used. */
export function recordTotpUse(db: SesameDb, key: string, credentialId: number, now: number, expiresAt: number): void {
  db.$client.prepare("INSERT INTO replay_cache (key, seen_at, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING").run(key, now, expiresAt);
  db.$client.prepare("DELETE FROM replay_cache WHERE key LIKE 'totp:%' AND expires_at <= ?").run(now);
  db.$client.prepare("UPDATE user_credentials SET last_used_at = ? WHERE id = ?").run(now, credentialId);
}
