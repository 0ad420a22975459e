import { randomBytes } from "node:crypto";
import type { SpaDigest } from "./digest";

/**
 * Key generation as `fwknop --key-gen` (fko_key_gen): a 32-byte Rijndael key
 * and an HMAC key as long as libfko makes it for the digest (the block size
 * for SHA-256/384/512, the digest size for MD5 and SHA-1). fwknop 2.6.10
 * fails for the SHA-3 digests; Sesame gives them 64 bytes.
 */
const HMAC_KEY_LEN: Record<SpaDigest, number> = { md5: 16, sha1: 20, sha256: 64, sha384: 128, sha512: 128, sha3_256: 64, sha3_512: 64 };

export interface SpaKeyPair {
  keyBase64: string;
  hmacKeyBase64: string;
  hmacDigest: SpaDigest;
}

export function generateSpaKeys(hmacDigest: SpaDigest = "sha256", random: (n: number) => Uint8Array = randomBytes): SpaKeyPair {
  return {
    keyBase64: Buffer.from(random(32)).toString("base64"),
    hmacKeyBase64: Buffer.from(random(HMAC_KEY_LEN[hmacDigest])).toString("base64"),
    hmacDigest,
  };
}

/** What `fwknop --key-gen` prints (and what goes into access.conf or ~/.fwknoprc). */
export function formatSpaKeyGen(k: SpaKeyPair): string {
  return `KEY_BASE64: ${k.keyBase64}\nHMAC_KEY_BASE64: ${k.hmacKeyBase64}\n`;
}
