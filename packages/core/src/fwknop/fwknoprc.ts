import { decodeB64, parseSpaDigest, type SpaDigest } from "../spa/digest";
import type { SpaKeys } from "../spa/packet";
import { readFwknopLines } from "./lines";

/**
 * The fwknop client's ~/.fwknoprc: `[name]` stanzas of `VAR value` lines
 * (and what `fwknop --key-gen` prints: `KEY_BASE64: …`, read as one unnamed
 * stanza). Sesame's client takes its keys and the server, access and
 * allow-IP settings from here, so no secret is ever on a command line.
 */
export type FwknopRc = Map<string, Record<string, string>>;

export function parseFwknoprc(text: string): FwknopRc {
  const out: FwknopRc = new Map();
  let cur: Record<string, string> = {};
  out.set("", cur);
  const body: string[] = [];
  for (const raw of text.split("\n")) {
    const m = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (m) {
      parseInto(body.splice(0), cur);
      cur = out.get(m[1] as string) ?? {};
      out.set(m[1] as string, cur);
    } else body.push(raw);
  }
  parseInto(body, cur);
  return out;
}

function parseInto(lines: string[], into: Record<string, string>): void {
  for (const l of readFwknopLines(lines.join("\n")).lines) into[l.name.toUpperCase()] = l.value;
}

export type SpaKeysResult = { ok: true; keys: SpaKeys; digest: SpaDigest } | { ok: false; error: string };

/** The Rijndael and HMAC keys of one stanza (KEY or KEY_BASE64, HMAC_KEY or HMAC_KEY_BASE64, HMAC_DIGEST_TYPE, DIGEST_TYPE). */
export function spaKeysFromRc(vars: Record<string, string>): SpaKeysResult {
  const b64 = (name: string): Uint8Array | null | "bad" => {
    const v = vars[name];
    if (v === undefined) return null;
    const b = decodeB64(v);
    return b && b.length > 0 ? b : "bad";
  };
  const keyB64 = b64("KEY_BASE64");
  const hmacB64 = b64("HMAC_KEY_BASE64");
  if (keyB64 === "bad") return { ok: false, error: "KEY_BASE64 is not base64" };
  if (hmacB64 === "bad") return { ok: false, error: "HMAC_KEY_BASE64 is not base64" };
  const key = keyB64 ?? (vars.KEY !== undefined ? Buffer.from(vars.KEY, "latin1") : null);
  if (!key) return { ok: false, error: "no KEY or KEY_BASE64" };
  if (key.length > 32) return { ok: false, error: "the Rijndael key is longer than 32 bytes" };
  const hmacKey = hmacB64 ?? (vars.HMAC_KEY !== undefined ? Buffer.from(vars.HMAC_KEY, "latin1") : null);
  const hmacDigest = parseSpaDigest(vars.HMAC_DIGEST_TYPE ?? "sha256");
  const digest = parseSpaDigest(vars.DIGEST_TYPE ?? "sha256");
  if (!hmacDigest) return { ok: false, error: `unknown HMAC_DIGEST_TYPE ${vars.HMAC_DIGEST_TYPE}` };
  if (!digest) return { ok: false, error: `unknown DIGEST_TYPE ${vars.DIGEST_TYPE}` };
  if (!hmacKey && !/^n/i.test(vars.USE_HMAC ?? "N")) return { ok: false, error: "USE_HMAC is set but no HMAC key is" };
  return { ok: true, keys: { key, hmacKey, hmacDigest }, digest };
}

/**
 * The ~/.fwknoprc stanza a user pastes to open with Debian's client
 * (`fwknop -n NAME`) or Sesame's (`knock --spa -n NAME`). `ALLOW_IP source`
 * (fwknop -s) opens for the packet's own address, which also works over IPv6.
 */
export function formatFwknoprcStanza(s: { name: string; server: string; access: string; keyBase64: string; hmacKeyBase64: string; hmacDigest: SpaDigest; port?: number }): string {
  const lines = [
    `[${s.name}]`,
    `SPA_SERVER          ${s.server}`,
    `ACCESS              ${s.access}`,
    "ALLOW_IP            source",
    ...(s.port !== undefined && s.port !== 62201 ? [`SPA_SERVER_PORT     ${s.port}`] : []),
    `KEY_BASE64          ${s.keyBase64}`,
    `HMAC_KEY_BASE64     ${s.hmacKeyBase64}`,
    "USE_HMAC            Y",
    ...(s.hmacDigest !== "sha256" ? [`HMAC_DIGEST_TYPE    ${s.hmacDigest.toUpperCase()}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}
