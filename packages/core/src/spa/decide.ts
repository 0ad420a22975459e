import { cidrContains } from "../net/cidr";
import type { Step } from "../types";
import { SPA_MSG, parseAccessMessage } from "./message";
import { openSpaPacket, precheckSpaPacket, spaReplayDigest, verifySpaHmac, type SpaKeys } from "./packet";

/**
 * The SPA decision, pure: users and their credentials, the sender, the time,
 * the datagram and the replay memory in; one outcome out. The checks follow
 * fwknopd's incoming_spa.c in its order (preprocess, replay, HMAC before any
 * decryption, decrypt, then age, allow-IP, username, message type, ports);
 * the reasons use its log wording. Sesame finds the user by the HMAC key
 * (each credential's is its own) where fwknopd walks its stanzas by source.
 */

/** MAX_SPA_PACKET_AGE's default (fwknopd.conf). */
export const MAX_SPA_PACKET_AGE_SEC = 120;

export interface SpaCredential {
  id: number;
  keys: SpaKeys;
  /** Accept packets without an HMAC (then `keys.hmacKey` may be null). */
  legacyNoHmac: boolean;
  /** End of a rotation's grace period (ms), null: none. */
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface SpaUser {
  id: number;
  name: string;
  enabled: boolean;
  /** ms; null: never. */
  expiresAt: number | null;
  /** CIDRs the user may open from (and for); empty: any address. */
  sources: string[];
  /** Ports the user may open; "any": every tcp/udp port (an access.conf stanza without OPEN_PORTS). */
  ports: Step[] | "any";
  /** access.conf RESTRICT_PORTS: never opened, whatever `ports` says. */
  restrictPorts?: Step[];
  maxGrantSec: number;
  grantSec: number;
  /** REQUIRE_SOURCE_ADDRESS: refuse `-s` (allow IP 0.0.0.0). */
  requireSourceAddress?: boolean;
  /** REQUIRE_USERNAME: the username field must be this. */
  requireUsername?: string;
  credentials: SpaCredential[];
}

export interface SpaRequest {
  packet: string;
  /** The datagram's source address. */
  src: string;
  /** ms. */
  now: number;
  /** Whether this replay key was accepted before (the replay cache). */
  isSeen(replayKey: string): boolean;
  maxAgeSec?: number;
}

export const SPA_OUTCOMES = [
  "opened", "replayed", "too-old", "future", "bad-hmac", "bad-key", "port-not-allowed", "source-not-allowed",
  "username-not-allowed", "user-disabled", "user-expired", "unsupported", "malformed",
] as const;
export type SpaOutcome = (typeof SPA_OUTCOMES)[number];

export interface SpaDecision {
  outcome: SpaOutcome;
  /** fwknopd's log wording for it. */
  reason: string;
  /** Set once a credential authenticated the packet. */
  user?: { id: number; name: string };
  credentialId?: number;
  /** Set for every authenticated packet: remember it (fwknopd adds the digest right after decryption, before the age check). */
  replayKey?: string;
  /** The username field of the message. */
  username?: string;
  /** The client's timestamp (s): the replay key is worth keeping until it leaves the age window. */
  timestamp?: number;
  /** opened: what to open, for whom, how long. */
  ports?: Step[];
  seconds?: number;
  allowIp?: string;
}

const live = (c: SpaCredential, now: number) => c.revokedAt === null && (c.expiresAt === null || c.expiresAt > now);
const same = (a: Step, b: Step) => a.port === b.port && a.protocol === b.protocol;

/** The replay-cache key of a datagram. */
export function spaReplayKey(packet: string): string {
  return `spa:${spaReplayDigest(packet)}`;
}

/**
 * The credential that authenticates the packet. Several may (access.conf
 * stanzas sharing keys for different SOURCE networks): as fwknopd goes on to
 * the next stanza, one whose user may send from `src` is preferred.
 */
function findCredential(users: readonly SpaUser[], packet: string, src: string, now: number): { user: SpaUser; cred: SpaCredential; hmac: boolean } | null {
  const found: { user: SpaUser; cred: SpaCredential; hmac: boolean }[] = [];
  for (const user of users)
    for (const cred of user.credentials) if (live(cred, now) && cred.keys.hmacKey && verifySpaHmac(packet, cred.keys)) found.push({ user, cred, hmac: true });
  if (found.length === 0)
    for (const user of users)
      for (const cred of user.credentials)
        if (live(cred, now) && cred.legacyNoHmac && openSpaPacket(packet, { ...cred.keys, hmacKey: null }).ok) found.push({ user, cred, hmac: false });
  return found.find((c) => c.user.sources.length === 0 || c.user.sources.some((s) => cidrContains(s, src))) ?? found[0] ?? null;
}

export function decideSpa(users: readonly SpaUser[], req: SpaRequest): SpaDecision {
  const { packet, src, now } = req;
  const pre = precheckSpaPacket(packet);
  if (!pre.ok) return { outcome: pre.outcome, reason: pre.reason };
  // fwknopd looks the digest up before decrypting; only authenticated packets are ever
  // remembered, so checking right after the HMAC gives the same answer and spares junk a hash.
  const found = findCredential(users, packet, src, now);
  if (!found) return { outcome: "bad-hmac", reason: "Non-corresponding HMAC for every user" };
  const { user, cred } = found;
  const who = { user: { id: user.id, name: user.name }, credentialId: cred.id };
  const replayKey = spaReplayKey(packet);
  // The HMAC says whose packet was captured and resent: the admin sees the user (the worker still rate-limits replays as junk).
  if (req.isSeen(replayKey)) return { outcome: "replayed", reason: `Replay detected from source IP: ${src}`, user: who.user };
  const opened = openSpaPacket(packet, found.hmac ? cred.keys : { ...cred.keys, hmacKey: null });
  if (!opened.ok) return { outcome: opened.outcome, reason: `Error creating fko context: ${opened.reason}`, ...who };
  const f = opened.fields;
  const base = { ...who, replayKey, username: f.username, timestamp: f.timestamp };
  if (!user.enabled) return { outcome: "user-disabled", reason: `User ${user.name} is disabled`, ...base };
  if (user.expiresAt !== null && now >= user.expiresAt) return { outcome: "user-expired", reason: "Access stanza has expired", ...base };
  const diff = Math.floor(now / 1000) - f.timestamp;
  if (Math.abs(diff) > (req.maxAgeSec ?? MAX_SPA_PACKET_AGE_SEC))
    return { outcome: diff > 0 ? "too-old" : "future", reason: `SPA data time difference is too great (${Math.abs(diff)} seconds).`, ...base };
  if (f.messageType === SPA_MSG.command) return { outcome: "unsupported", reason: "SPA Command messages are not allowed in the current configuration.", ...base };
  if (f.natAccess !== null) return { outcome: "unsupported", reason: `SPA packet from ${src} requested NAT access, but is not enabled/supported`, ...base };
  const access = parseAccessMessage(f.message);
  if (!access) return { outcome: "malformed", reason: `Error parsing SPA message string: ${f.message}`, ...base };
  let allowIp = access.allowIp;
  if (allowIp === "0.0.0.0") {
    if (user.requireSourceAddress) return { outcome: "source-not-allowed", reason: "Got 0.0.0.0 when valid source IP was required.", ...base };
    allowIp = src;
  }
  if (user.requireUsername !== undefined && f.username !== user.requireUsername)
    return { outcome: "username-not-allowed", reason: `Username in SPA data (${f.username}) does not match required username: ${user.requireUsername}`, ...base };
  if (user.sources.length > 0 && !(user.sources.some((c) => cidrContains(c, src)) && user.sources.some((c) => cidrContains(c, allowIp))))
    return { outcome: "source-not-allowed", reason: `No access data found for source IP: ${src === allowIp ? src : `${src} (allow IP ${allowIp})`}`, ...base, allowIp };
  const denied =
    access.other.length > 0 ||
    access.ports.some((p) => user.restrictPorts?.some((r) => same(p, r))) ||
    (user.ports !== "any" && access.ports.some((p) => !(user.ports as Step[]).some((q) => same(p, q))));
  if (denied) return { outcome: "port-not-allowed", reason: "One or more requested protocol/ports was denied per access.conf.", ...base, ports: access.ports, allowIp };
  const seconds = f.clientTimeout > 0 ? Math.min(f.clientTimeout, user.maxGrantSec) : Math.min(user.grantSec, user.maxGrantSec);
  return { outcome: "opened", reason: `Added access rule for ${allowIp}`, ...base, ports: access.ports, seconds, allowIp };
}
