import { randomInt } from "node:crypto";
import type { Step } from "../types";
import { b64NoPad, constantTimeEqual, decodeB64, spaDigestB64, type SpaDigest } from "./digest";

/**
 * The SPA message before encryption, field for field as libfko's
 * fko_encode.c writes it and fko_decode.c reads it:
 * `random:b64(user):timestamp:version:type:b64(message)[:b64(nat)][:b64(server_auth)][:timeout]:digest`.
 */

/** libfko's fko_message_type_t. */
export const SPA_MSG = { command: 0, access: 1, nat: 2, timeoutAccess: 3, timeoutNat: 4, localNat: 5, timeoutLocalNat: 6 } as const;
export const SPA_PROTOCOL_VERSION = "3.0.0";

export interface SpaFields {
  /** 16 decimal digits. */
  random: string;
  username: string;
  /** Unix seconds (the client's clock). */
  timestamp: number;
  version: string;
  messageType: number;
  /** `allow_ip,proto/port,…` (or `allow_ip,command` for a command message). */
  message: string;
  natAccess: string | null;
  serverAuth: string | null;
  /** 0: the client asked for no timeout. */
  clientTimeout: number;
}

export type DecodeSpaResult = { ok: true; fields: SpaFields; digest: SpaDigest } | { ok: false; reason: string };

const MIN_ENCODED = 36;
const MAX_ENCODED = 1500;
const B64_LEN_TO_DIGESTS: Record<number, SpaDigest[]> = { 22: ["md5"], 27: ["sha1"], 43: ["sha256", "sha3_256"], 64: ["sha384"], 86: ["sha512", "sha3_512"] };

const isTimeoutType = (t: number) => t === SPA_MSG.timeoutAccess || t === SPA_MSG.timeoutNat || t === SPA_MSG.timeoutLocalNat;
const isNatType = (t: number) => t === SPA_MSG.nat || t === SPA_MSG.timeoutNat || t === SPA_MSG.localNat || t === SPA_MSG.timeoutLocalNat;

/** libfko's validate_username(): printable, none of `"/\[]:;|=,+*?<>`. */
export function isValidSpaUsername(u: string): boolean {
  return u.length > 0 && u.length < 64 && /^[\x20-\x7e]+$/.test(u) && !/["/\\[\]:;|=,+*?<>]/.test(u);
}

function decodeText(s: string, max: number): string | null {
  if (s.length < 1 || s.length > max) return null;
  const b = decodeB64(s);
  return b === null ? null : b.toString("latin1");
}

/** A dotted IPv4 address as libfko's have_allow_ip() accepts it. */
function isAllowIp(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}

/** validate_access_msg(): `ip,proto/port[,proto/port…]`, proto tcp, udp, icmp or none. */
export function isValidAccessMessage(msg: string): boolean {
  const parts = msg.split(",");
  if (parts.length < 2 || !isAllowIp(parts[0] as string)) return false;
  return parts.slice(1).every((p) => /^(tcp|udp|icmp|none)\/\d{1,5}$/.test(p) && Number(p.split("/")[1]) >= 1 && Number(p.split("/")[1]) <= 65535);
}

function isValidCommandMessage(msg: string): boolean {
  const i = msg.indexOf(",");
  return i > 0 && isAllowIp(msg.slice(0, i)) && i + 1 < msg.length;
}

/** `allow_ip` and the requested ports of an access message (icmp/none requests are kept apart: Sesame opens neither). */
export function parseAccessMessage(msg: string): { allowIp: string; ports: Step[]; other: string[] } | null {
  if (!isValidAccessMessage(msg)) return null;
  const [ip, ...specs] = msg.split(",");
  const ports: Step[] = [];
  const other: string[] = [];
  for (const s of specs) {
    const [proto, port] = s.split("/") as [string, string];
    if (proto === "tcp" || proto === "udp") ports.push({ protocol: proto, port: Number(port) });
    else other.push(s);
  }
  return { allowIp: ip as string, ports, other };
}

/** Reads the decrypted text as fko_decode_spa_data() does, its digest checked first. */
export function decodeSpaMessage(text: string): DecodeSpaResult {
  if (text.length < MIN_ENCODED || text.length > MAX_ENCODED) return { ok: false, reason: "bad message length" };
  if (!/^[\x20-\x7e]+$/.test(text)) return { ok: false, reason: "non-printable characters in the message" };
  const cut = text.lastIndexOf(":");
  const parts = text.split(":");
  if (parts.length - 1 < 6) return { ok: false, reason: "fewer fields than an SPA message has" };
  const digestText = text.slice(cut + 1);
  const body = text.slice(0, cut);
  const candidates = B64_LEN_TO_DIGESTS[digestText.length];
  if (!candidates) return { ok: false, reason: "invalid digest length" };
  const digest = candidates.find((d) => constantTimeEqual(spaDigestB64(d, body), digestText));
  if (!digest) return { ok: false, reason: "digest verification failed" };
  const f = body.split(":");
  const [random, user64, ts, version, type] = f as [string, string, string, string, string];
  if (random.length < 16) return { ok: false, reason: "random value missing" };
  const username = decodeText(user64, 64);
  if (username === null || !isValidSpaUsername(username)) return { ok: false, reason: "invalid username" };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: "invalid timestamp" };
  if (version.length < 1 || version.length > 8) return { ok: false, reason: "invalid version" };
  if (!/^\d{1,2}$/.test(type) || Number(type) > SPA_MSG.timeoutLocalNat) return { ok: false, reason: "invalid message type" };
  const messageType = Number(type);
  const message = decodeText(f[5] ?? "", 256);
  if (message === null) return { ok: false, reason: "message missing" };
  if (messageType === SPA_MSG.command ? !isValidCommandMessage(message) : !isValidAccessMessage(message)) return { ok: false, reason: "invalid access message" };
  let i = 6;
  let natAccess: string | null = null;
  if (isNatType(messageType)) {
    natAccess = decodeText(f[i++] ?? "", 128);
    if (natAccess === null) return { ok: false, reason: "NAT access missing" };
  }
  const rest = f.slice(i);
  let serverAuth: string | null = null;
  let clientTimeout = 0;
  if (isTimeoutType(messageType)) {
    if (rest.length < 1 || rest.length > 2) return { ok: false, reason: "wrong number of fields" };
    const t = rest[rest.length - 1] as string;
    if (!/^\d{1,5}$/.test(t) || Number(t) > 65536) return { ok: false, reason: "invalid client timeout" };
    clientTimeout = Number(t);
    if (rest.length === 2) serverAuth = decodeText(rest[0] as string, 64);
  } else {
    if (rest.length > 1) return { ok: false, reason: "wrong number of fields" };
    if (rest.length === 1) serverAuth = decodeText(rest[0] as string, 64);
  }
  return { ok: true, digest, fields: { random: random.slice(0, 16), username, timestamp: Number(ts), version, messageType, message, natAccess, serverAuth, clientTimeout } };
}

export interface EncodeSpaInput {
  username: string;
  timestamp: number;
  /** `allow_ip,proto/port,…`. */
  message: string;
  /** Seconds the client asks for (0 or absent: none; the message type says so). */
  clientTimeout?: number;
  digest?: SpaDigest;
  random?: string;
}

/** Writes the message as fko_encode_spa_data() and appends its digest (SHA-256 unless told). */
export function encodeSpaMessage(input: EncodeSpaInput): string {
  if (!isValidSpaUsername(input.username)) throw new Error(`invalid SPA username: ${input.username}`);
  if (!isValidAccessMessage(input.message)) throw new Error(`invalid SPA access message: ${input.message}`);
  const timeout = input.clientTimeout ?? 0;
  const random = input.random ?? `${randomInt(1e7, 1e8)}${randomInt(1e7, 1e8)}`.slice(0, 16);
  const type = timeout > 0 ? SPA_MSG.timeoutAccess : SPA_MSG.access;
  const b64 = (s: string) => b64NoPad(Buffer.from(s, "latin1"));
  let body = `${random}:${b64(input.username)}:${input.timestamp}:${SPA_PROTOCOL_VERSION}:${type}:${b64(input.message)}`;
  if (timeout > 0) body += `:${timeout}`;
  const digest = input.digest ?? "sha256";
  const out = `${body}:${spaDigestB64(digest, body)}`;
  if (out.length > MAX_ENCODED) throw new Error("SPA message too long");
  return out;
}
