/**
 * Base32 (RFC 4648, upper case, unpadded on output), the encoding of TOTP
 * secrets in otpauth:// URIs and authenticator apps.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Bytes → base32, no padding. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Base32 → bytes. Case, spaces, dashes and trailing "=" padding are
 * tolerated (people type secrets in groups); any other character is refused.
 */
export function decodeBase32(text: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } {
  const clean = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return { ok: false, reason: `"${ch}" is not a base32 character (A-Z, 2-7)` };
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}
