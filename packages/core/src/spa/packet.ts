import { rijndaelDecrypt, rijndaelEncrypt, SPA_MAX_KEY_LEN } from "./cipher";
import { SPA_DIGEST_B64_LEN, b64NoPad, constantTimeEqual, decodeB64, isBase64Text, spaDigestB64, spaHmacB64, type SpaDigest } from "./digest";
import { decodeSpaMessage, encodeSpaMessage, type EncodeSpaInput, type SpaFields } from "./message";

/**
 * The SPA datagram as the fwknop client sends it: base64 of the salted
 * ciphertext without its constant "U2FsdGVkX1" ("Salted__") prefix, then the
 * HMAC (base64, no separator) computed over the base64 ciphertext *with* the
 * prefix (fko_spa_data_final, fko_verify_hmac). Opening checks the HMAC in
 * constant time before anything is decrypted.
 */

/** B64_RIJNDAEL_SALT: stripped by the client, put back by the server. */
const SALT_PREFIX = "U2FsdGVkX1";
const GPG_PREFIX = "hQ";
/** fwknopd's MIN_SPA_DATA_SIZE and MAX_SPA_PACKET_LEN. */
export const SPA_MIN_PACKET = 140;
export const SPA_MAX_PACKET = 1500;
const MIN_ENCODED = 36;

export interface SpaKeys {
  /** The Rijndael key (a passphrase's bytes, or KEY_BASE64 decoded); at most 32 bytes. */
  key: Uint8Array;
  /** null: no HMAC (legacy packets only). */
  hmacKey: Uint8Array | null;
  hmacDigest: SpaDigest;
}

export type SpaPrecheck = { ok: true } | { ok: false; outcome: "malformed" | "unsupported"; reason: string };

/** What fwknopd's preprocess_spa_data() refuses before any key is tried. */
export function precheckSpaPacket(packet: string): SpaPrecheck {
  if (packet.length < SPA_MIN_PACKET || packet.length > SPA_MAX_PACKET) return { ok: false, outcome: "malformed", reason: "bad SPA data length" };
  // A prefix put back on a seen packet could dodge the replay check (fwknopd refuses it too).
  if (packet.startsWith(SALT_PREFIX)) return { ok: false, outcome: "malformed", reason: "SPA data with a Rijndael prefix" };
  if (packet.length > 400 && packet.startsWith(GPG_PREFIX)) return { ok: false, outcome: "unsupported", reason: "GnuPG-encrypted SPA data is not supported" };
  if (!isBase64Text(packet)) return { ok: false, outcome: "malformed", reason: "not base64 SPA data" };
  return { ok: true };
}

/** The replay digest of a datagram: SHA-256 over it as received (fwknopd's get_raw_digest). */
export function spaReplayDigest(packet: string): string {
  return spaDigestB64("sha256", packet);
}

/** Whether `packet` ends in a valid HMAC for `keys` (constant-time; false for a packet too short to carry one). */
export function verifySpaHmac(packet: string, keys: SpaKeys): boolean {
  if (!keys.hmacKey) return false;
  const len = SPA_DIGEST_B64_LEN[keys.hmacDigest];
  if (packet.length - len < MIN_ENCODED) return false;
  // Compared as text, as libfko does: decoding first would let the spare bits of the last base64
  // character vary, a different datagram (and replay digest) with the same valid HMAC.
  return constantTimeEqual(spaHmacB64(keys.hmacDigest, keys.hmacKey, SALT_PREFIX, packet.slice(0, packet.length - len)), packet.slice(packet.length - len));
}

export type OpenSpaResult =
  | { ok: true; fields: SpaFields; digest: SpaDigest }
  | { ok: false; outcome: "bad-hmac" | "bad-key" | "malformed"; reason: string };

/**
 * Authenticates (HMAC, unless `keys.hmacKey` is null: a legacy packet) and
 * decrypts one datagram. bad-key: the HMAC was right but the text did not
 * decrypt to an SPA message (libfko's check of the 16-digit random field).
 */
export function openSpaPacket(packet: string, keys: SpaKeys): OpenSpaResult {
  if (keys.key.length > SPA_MAX_KEY_LEN) return { ok: false, outcome: "bad-key", reason: "Rijndael key longer than 32 bytes" };
  let cipherB64 = packet;
  if (keys.hmacKey) {
    if (!verifySpaHmac(packet, keys)) return { ok: false, outcome: "bad-hmac", reason: "HMAC verification failed" };
    cipherB64 = packet.slice(0, packet.length - SPA_DIGEST_B64_LEN[keys.hmacDigest]);
  }
  const raw = decodeB64(SALT_PREFIX + cipherB64);
  if (!raw) return { ok: false, outcome: "malformed", reason: "ciphertext is not base64" };
  const plain = rijndaelDecrypt(raw, keys.key);
  if (!plain) return { ok: false, outcome: "malformed", reason: "ciphertext length is not a whole number of blocks" };
  if (plain.length === 0) return { ok: false, outcome: "bad-key", reason: "decryption failed (size)" };
  const text = plain.toString("latin1");
  if (!/^\d{16}:/.test(text)) return { ok: false, outcome: "bad-key", reason: "decryption failed" };
  const decoded = decodeSpaMessage(text);
  if (!decoded.ok) return { ok: false, outcome: "malformed", reason: decoded.reason };
  return decoded;
}

/** Builds the datagram the fwknop client would send for `input` with `keys` (HMAC appended unless `keys.hmacKey` is null). */
export function encodeSpaPacket(input: EncodeSpaInput, keys: SpaKeys, salt?: Uint8Array): string {
  if (keys.key.length < 1 || keys.key.length > SPA_MAX_KEY_LEN) throw new Error("the Rijndael key must be 1 to 32 bytes");
  const plain = Buffer.from(encodeSpaMessage(input), "latin1");
  const full = b64NoPad(rijndaelEncrypt(plain, keys.key, salt));
  const sent = full.slice(SALT_PREFIX.length);
  return keys.hmacKey ? sent + spaHmacB64(keys.hmacDigest, keys.hmacKey, full) : sent;
}
