import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * libfko's Rijndael mode (cipher_funcs.c): AES-256-CBC with OpenSSL's salted
 * format. Key and IV come from the passphrase and an 8-byte salt the way
 * `openssl enc -md md5` derives them (EVP_BytesToKey, one MD5 round):
 * D1 = MD5(pass‖salt), Dn = MD5(Dn-1‖pass‖salt); key = D1‖D2, IV = D3. The
 * ciphertext starts with "Salted__" and the salt; padding is PKCS#7, read
 * back leniently as libfko does (a bad pad is left in place and the
 * decrypted text then fails its own checks).
 */

const SALTED = Buffer.from("Salted__");
const BLOCK = 16;
/** RIJNDAEL_MAX_KEYSIZE: longer keys are refused by libfko. */
export const SPA_MAX_KEY_LEN = 32;

function deriveKeyIv(pass: Uint8Array, salt: Uint8Array): { key: Buffer; iv: Buffer } {
  const parts: Buffer[] = [];
  let prev = Buffer.alloc(0);
  while (parts.length < 3) {
    prev = createHash("md5").update(prev).update(pass).update(salt).digest();
    parts.push(prev);
  }
  const kiv = Buffer.concat(parts);
  return { key: kiv.subarray(0, 32), iv: kiv.subarray(32, 48) };
}

/** Encrypts as rij_encrypt: "Salted__" ‖ salt ‖ AES-256-CBC(plaintext, PKCS#7). */
export function rijndaelEncrypt(plain: Uint8Array, pass: Uint8Array, salt: Uint8Array = randomBytes(8)): Buffer {
  const { key, iv } = deriveKeyIv(pass, salt);
  const c = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([SALTED, salt, c.update(plain), c.final()]);
}

/**
 * Decrypts as rij_decrypt; null when the data cannot be ciphertext (not a
 * whole number of blocks, no salt header). A wrong key yields garbage, not
 * null: the caller's checks on the text say whether the key was right.
 */
export function rijndaelDecrypt(data: Uint8Array, pass: Uint8Array): Buffer | null {
  if (data.length < 2 * BLOCK || data.length % BLOCK !== 0) return null;
  const salt = data.subarray(8, 16);
  const { key, iv } = deriveKeyIv(pass, salt);
  const d = createDecipheriv("aes-256-cbc", key, iv);
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(data.subarray(16)), d.final()]);
  const pad = out[out.length - 1] as number;
  if (pad >= 1 && pad <= BLOCK && out.subarray(out.length - pad).every((x) => x === pad)) return out.subarray(0, out.length - pad);
  return out;
}
