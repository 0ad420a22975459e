import "server-only";
import { randomBytes } from "node:crypto";
import QRCode from "qrcode";
import { DEFAULT_TOTP_SETTINGS, TOTP_SECRET_BYTES, encodeBase32, otpauthUri, type Step, type TotpSettings } from "@sesame/core";

/**
 * Fresh key material, and the text a user needs to use it. Shown once (the
 * action's answer), never stored anywhere but user_credentials, never
 * logged or audited.
 */

export interface TotpMaterial {
  kind: "totp";
  secret: string;
  uri: string;
  /** The otpauth URI as a QR code (SVG markup, rendered on the server). */
  qrSvg: string;
  command: string;
}

export interface SpaMaterial {
  kind: "spa";
  key: string;
  hmacKey: string;
  fwknoprc: string;
  command: string;
}

export type CredentialMaterial = TotpMaterial | SpaMaterial;

export function newTotpSecret(): string {
  return encodeBase32(randomBytes(TOTP_SECRET_BYTES));
}

/** As `fwknop --key-gen`: a 32-byte Rijndael key and a 64-byte HMAC key, base64. */
export function newSpaKeys(): { key: string; hmacKey: string } {
  return { key: randomBytes(32).toString("base64"), hmacKey: randomBytes(64).toString("base64") };
}

/** The `sesame knock` command for this site (the sequence options only when they differ from the defaults). */
export function sesameKnockCommand(host: string, s: TotpSettings): string {
  const opts: string[] = [];
  if (s.portLow !== DEFAULT_TOTP_SETTINGS.portLow || s.portHigh !== DEFAULT_TOTP_SETTINGS.portHigh) opts.push(`--range ${s.portLow}-${s.portHigh}`);
  if (s.length !== DEFAULT_TOTP_SETTINGS.length) opts.push(`--length ${s.length}`);
  if (s.protocols !== DEFAULT_TOTP_SETTINGS.protocols) opts.push(`--protocols ${s.protocols}`);
  return ["sesame knock", host, ...opts, "--totp CODE"].join(" ");
}

export async function totpMaterial(user: string, secret: string, host: string, settings: TotpSettings): Promise<TotpMaterial> {
  const uri = otpauthUri({ user, secretBase32: secret });
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { kind: "totp", secret, uri, qrSvg, command: sesameKnockCommand(host, settings) };
}

/** The ~/.fwknoprc stanza fwknop's client reads with `fwknop -n NAME`. */
export function spaMaterial(user: string, keys: { key: string; hmacKey: string }, host: string, ports: Step[]): SpaMaterial {
  const access = ports.map((p) => `${p.protocol}/${p.port}`).join(",");
  const fwknoprc = [
    `[${user}]`,
    `SPA_SERVER          ${host}`,
    `ACCESS              ${access}`,
    `ALLOW_IP            source`,
    `KEY_BASE64          ${keys.key}`,
    `HMAC_KEY_BASE64     ${keys.hmacKey}`,
    `HMAC_DIGEST_TYPE    sha256`,
    `USE_HMAC            Y`,
    "",
  ].join("\n");
  return { kind: "spa", key: keys.key, hmacKey: keys.hmacKey, fwknoprc, command: `fwknop -n ${user}` };
}
