/**
 * TOTP as RFC 6238 defines it and authenticator apps implement it:
 * HMAC-SHA1, 30-second steps counted from the Unix epoch, 6 digits
 * (HOTP's dynamic truncation, RFC 4226 §5.3). The clock is injected.
 */
import { hmacSha1 } from "./hmac-sha1";

export const TOTP_STEP_SEC = 30;
export const TOTP_DIGITS = 6;
/** Secret length Sesame generates: 160 bits, RFC 4226's recommendation for HMAC-SHA1. */
export const TOTP_SECRET_BYTES = 20;
/** Windows accepted on either side of the current one, for clock skew (RFC 6238 §5.2). */
export const TOTP_SKEW_STEPS = 1;

/** The time step (counter) `nowMs` falls in. */
export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SEC);
}

/** When step `step` begins (ms since the epoch). */
export function totpStepStart(step: number): number {
  return step * TOTP_STEP_SEC * 1000;
}

/** HOTP(key, counter) with `digits` digits, zero-padded (RFC 4226). */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`HOTP counter must be a non-negative integer, got ${counter}`);
  const msg = new Uint8Array(8);
  const view = new DataView(msg.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const mac = hmacSha1(key, msg);
  const offset = (mac[19] ?? 0) & 0x0f;
  const bin = new DataView(mac.buffer).getUint32(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, "0");
}

/** The code an authenticator shows for this secret during step `step`. */
export function totpCodeAt(secret: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  return hotp(secret, step, digits);
}

/**
 * The enrollment URI authenticator apps read from a QR code
 * (`otpauth://totp/Sesame:alice?secret=…&issuer=Sesame`; Google
 * Authenticator's Key Uri Format). SHA1, 6 digits and 30 s are the
 * defaults every app assumes, so they are not spelled out.
 */
export function otpauthUri(opts: { user: string; secretBase32: string; issuer?: string }): string {
  const issuer = opts.issuer ?? "Sesame";
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(opts.user)}`;
  return `otpauth://totp/${label}?secret=${opts.secretBase32}&issuer=${encodeURIComponent(issuer)}`;
}
