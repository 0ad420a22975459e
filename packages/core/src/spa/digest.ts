import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * The digests libfko knows, by the names fwknop's options and access.conf use
 * (`-m`, `--hmac-digest-type`, HMAC_DIGEST_TYPE), with libfko's numbers
 * (fko_digest_type_t and fko_hmac_type_t share them) and node:crypto's names.
 */
export const SPA_DIGESTS = ["md5", "sha1", "sha256", "sha384", "sha512", "sha3_256", "sha3_512"] as const;
export type SpaDigest = (typeof SPA_DIGESTS)[number];

const NODE_NAME: Record<SpaDigest, string> = {
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha3_256: "sha3-256",
  sha3_512: "sha3-512",
};

/** libfko's FKO_DIGEST_* / FKO_HMAC_* numbers. */
export const SPA_DIGEST_NUMBER: Record<SpaDigest, number> = { md5: 1, sha1: 2, sha256: 3, sha384: 4, sha512: 5, sha3_256: 6, sha3_512: 7 };

/** Length of the digest in base64 with the '=' padding stripped, as libfko sends it (MD5_B64_LEN …). */
export const SPA_DIGEST_B64_LEN: Record<SpaDigest, number> = { md5: 22, sha1: 27, sha256: 43, sha384: 64, sha512: 86, sha3_256: 43, sha3_512: 86 };

/** Parses a digest name as fwknop does (case-insensitive; `sha3_256` or `sha3-256`). */
export function parseSpaDigest(s: string): SpaDigest | null {
  const t = s.trim().toLowerCase().replace("-", "_");
  return (SPA_DIGESTS as readonly string[]).includes(t) ? (t as SpaDigest) : null;
}

/** base64 without the '=' padding: how libfko writes every field, digest and ciphertext. */
export function b64NoPad(b: Uint8Array): string {
  return Buffer.from(b).toString("base64").replace(/=+$/, "");
}

/** libfko's is_base64(): only base64 characters (and padding). */
export function isBase64Text(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/**
 * Decodes base64 with or without padding; null when it is not base64 or its
 * length cannot be (a single trailing character), so nothing is silently
 * skipped as Buffer.from would.
 */
export function decodeB64(s: string): Buffer | null {
  if (!isBase64Text(s)) return null;
  const bare = s.replace(/=+$/, "");
  if (bare.length % 4 === 1) return null;
  return Buffer.from(bare, "base64");
}

/** The digest of `data` in libfko's form (base64, padding stripped). */
export function spaDigestB64(digest: SpaDigest, data: string | Uint8Array): string {
  return b64NoPad(createHash(NODE_NAME[digest]).update(data).digest());
}

/** The HMAC of `parts` (concatenated) with `key` in libfko's form (base64, padding stripped). */
export function spaHmacB64(digest: SpaDigest, key: Uint8Array, ...parts: string[]): string {
  const h = createHmac(NODE_NAME[digest], key);
  for (const p of parts) h.update(p);
  return h.digest("base64").replace(/=+$/, "");
}

/** Compares two strings in time that depends on their length only. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}
