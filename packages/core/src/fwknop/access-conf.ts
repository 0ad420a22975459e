import { parseCidr } from "../net/cidr";
import { decodeB64, isBase64Text, parseSpaDigest, type SpaDigest } from "../spa/digest";
import { SPA_MAX_KEY_LEN } from "../spa/cipher";
import type { Step } from "../types";
import { isYes, readFwknopLines, type FwknopConfMessage } from "./lines";

/**
 * fwknopd's access.conf (access.c), stanza by stanza: each starts at SOURCE
 * and holds its keys, ports, timeouts and restrictions. Errors carry the line
 * and fwknopd's wording; directives Sesame does not carry out (GnuPG,
 * command execution, NAT, includes) are warnings that name them, and a
 * stanza left without a usable key is an error, as in fwknopd.
 */

export interface AccessStanza {
  line: number;
  /** Canonical CIDRs; empty for `ANY`. */
  sources: string[];
  /** OPEN_PORTS; null: not set (any port). */
  openPorts: Step[] | null;
  restrictPorts: Step[];
  /** The Rijndael key's bytes (KEY's text or KEY_BASE64 decoded). */
  key: Uint8Array;
  hmacKey: Uint8Array | null;
  hmacDigest: SpaDigest;
  /** FW_ACCESS_TIMEOUT, seconds; null: not set (fwknopd.conf's, else 30). */
  fwAccessTimeout: number | null;
  /** MAX_FW_TIMEOUT, seconds (default 300). */
  maxFwTimeout: number;
  requireUsername?: string;
  requireSourceAddress: boolean;
  /** ACCESS_EXPIRE / ACCESS_EXPIRE_EPOCH, ms; null: never. */
  accessExpire: number | null;
}

export type ParseAccessConfResult =
  | { ok: true; stanzas: AccessStanza[]; warnings: FwknopConfMessage[] }
  | { ok: false; errors: FwknopConfMessage[]; warnings: FwknopConfMessage[] };

export const DEFAULT_FW_ACCESS_TIMEOUT = 30;
export const DEFAULT_MAX_FW_TIMEOUT = 300;

const NOT_CARRIED_OUT: Record<string, string> = {
  ENABLE_CMD_EXEC: "command messages are refused, never run",
  ENABLE_CMD_SUDO_EXEC: "command messages are refused, never run",
  CMD_EXEC_USER: "command messages are refused, never run",
  CMD_EXEC_GROUP: "command messages are refused, never run",
  CMD_SUDO_EXEC_USER: "command messages are refused, never run",
  CMD_SUDO_EXEC_GROUP: "command messages are refused, never run",
  CMD_CYCLE_OPEN: "Sesame opens ports in its own firewall, it runs no command",
  CMD_CYCLE_CLOSE: "Sesame opens ports in its own firewall, it runs no command",
  CMD_CYCLE_TIMER: "Sesame opens ports in its own firewall, it runs no command",
  FORCE_NAT: "NAT access is not supported",
  FORCE_SNAT: "NAT access is not supported",
  FORCE_MASQUERADE: "NAT access is not supported",
  DISABLE_DNAT: "NAT access is not supported",
  FORWARD_ALL: "NAT access is not supported",
  DESTINATION: "every destination address of the host is accepted",
  "%include": "includes are not read",
  "%include_folder": "includes are not read",
  "%include_keys": "includes are not read",
};
const GPG = /^GPG_/;

/** `tcp/22, udp/53` (fwknopd's expand_acc_port_list). */
export function parsePortList(value: string): Step[] | null {
  const out: Step[] = [];
  for (const part of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = /^(tcp|udp)\/(\d{1,5})$/i.exec(part);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return null;
    out.push({ protocol: (m[1] as string).toLowerCase() as Step["protocol"], port: Number(m[2]) });
  }
  return out.length > 0 ? out : null;
}

function parseSources(value: string): string[] | string {
  const out: string[] = [];
  for (const part of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    if (part.toUpperCase() === "ANY") return [];
    const r = parseCidr(part);
    if (!r.ok) return `invalid SOURCE '${part}': ${r.reason}`;
    out.push(r.cidr.text);
  }
  return out.length > 0 ? out : "SOURCE is empty";
}

/** ACCESS_EXPIRE's MM/DD/YYYY, local midnight as fwknopd's mktime(). */
function parseExpireDate(value: string): number | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{1,4})$/.exec(value);
  if (!m) return null;
  let year = Number(m[3]);
  if (year < 100) year += 2000;
  return new Date(year, Number(m[1]) - 1, Number(m[2])).getTime();
}

interface Draft extends Omit<AccessStanza, "key" | "hmacKey" | "hmacDigest"> {
  key: Uint8Array | null;
  hmacKey: Uint8Array | null;
  hmacDigest: SpaDigest | null;
  sourceText: string;
  /** A KEY line was refused (reported there, not again as "no keys"). */
  badKey: boolean;
}

export function parseAccessConf(text: string): ParseAccessConfResult {
  const { lines, errors } = readFwknopLines(text);
  const warnings: FwknopConfMessage[] = [];
  const drafts: Draft[] = [];
  let cur: Draft | undefined;
  const err = (line: number, message: string) => errors.push({ line, message });
  for (const { line, name, value } of lines) {
    if (name === "SOURCE") {
      const s = parseSources(value);
      if (typeof s === "string") err(line, s);
      cur = {
        line, sourceText: value, badKey: false, sources: typeof s === "string" ? [] : s, openPorts: null, restrictPorts: [], key: null, hmacKey: null, hmacDigest: null,
        fwAccessTimeout: null, maxFwTimeout: DEFAULT_MAX_FW_TIMEOUT, requireSourceAddress: false, accessExpire: null,
      };
      drafts.push(cur);
      continue;
    }
    if (!cur) {
      warnings.push({ line, message: `${name} before the first SOURCE is ignored (as fwknopd does)` });
      continue;
    }
    const key = (what: string, base64: boolean): Uint8Array | null => {
      if (value.toUpperCase() === "__CHANGEME__") return err(line, `${what} value is not properly set in stanza source '${cur?.sourceText}'`), null;
      if (!base64) return Buffer.from(value, "latin1");
      const b = isBase64Text(value) ? decodeB64(value) : null;
      // fwknopd quotes the value here; a key is never repeated back (it reaches the import page).
      if (!b || b.length === 0) return err(line, `${what} argument doesn't look like base64-encoded data (the value is not shown).`), null;
      return b;
    };
    switch (name) {
      case "OPEN_PORTS":
      case "RESTRICT_PORTS": {
        const p = parsePortList(value);
        if (!p) err(line, `${name}: '${value}' is not a list of tcp/PORT or udp/PORT`);
        else if (name === "OPEN_PORTS") cur.openPorts = p;
        else cur.restrictPorts = p;
        break;
      }
      case "KEY":
      case "KEY_BASE64": {
        const k = key(name, name === "KEY_BASE64");
        if (k && k.length > SPA_MAX_KEY_LEN) err(line, `${name}: the Rijndael key is ${k.length} bytes, at most ${SPA_MAX_KEY_LEN} are allowed`);
        if (k && k.length <= SPA_MAX_KEY_LEN) cur.key = k;
        else cur.badKey = true;
        break;
      }
      case "HMAC_KEY":
      case "HMAC_KEY_BASE64": {
        const k = key(name, name === "HMAC_KEY_BASE64");
        if (k && k.length > 128) err(line, `${name}: the HMAC key is ${k.length} bytes, at most 128 are allowed`);
        else if (k) cur.hmacKey = k;
        break;
      }
      case "HMAC_DIGEST_TYPE": {
        const d = parseSpaDigest(value);
        if (!d) err(line, `HMAC_DIGEST_TYPE argument '${value}' must be one of {md5,sha1,sha256,sha384,sha512,sha3_256,sha3_512}`);
        else cur.hmacDigest = d;
        break;
      }
      case "FW_ACCESS_TIMEOUT":
      case "MAX_FW_TIMEOUT": {
        if (!/^\d{1,8}$/.test(value) || Number(value) < 1) err(line, `${name}: '${value}' is not a number of seconds`);
        else if (name === "FW_ACCESS_TIMEOUT") cur.fwAccessTimeout = Number(value);
        else cur.maxFwTimeout = Number(value);
        break;
      }
      case "REQUIRE_USERNAME":
        cur.requireUsername = value;
        break;
      case "REQUIRE_SOURCE_ADDRESS":
      case "REQUIRE_SOURCE":
        cur.requireSourceAddress = isYes(value);
        break;
      case "ACCESS_EXPIRE": {
        const t = parseExpireDate(value);
        if (t === null) err(line, `invalid date value '${value}' (need MM/DD/YYYY) for access stanza expiration time`);
        else cur.accessExpire = t;
        break;
      }
      case "ACCESS_EXPIRE_EPOCH":
        if (!/^\d{1,12}$/.test(value)) err(line, `invalid epoch seconds value '${value}' for access stanza expiration time`);
        else cur.accessExpire = Number(value) * 1000;
        break;
      case "ENCRYPTION_MODE":
        if (value.toUpperCase() !== "CBC") err(line, `ENCRYPTION_MODE ${value} is not supported (only CBC, the default)`);
        break;
      default:
        if (GPG.test(name)) warnings.push({ line, message: `${name} is not supported: GnuPG-encrypted SPA is refused` });
        else if (NOT_CARRIED_OUT[name]) warnings.push({ line, message: `${name} is not supported: ${NOT_CARRIED_OUT[name]}` });
        else warnings.push({ line, message: `unknown directive ${name} (ignored)` });
    }
  }
  const stanzas: AccessStanza[] = [];
  for (const d of drafts) {
    if (!d.key) {
      if (!d.badKey) err(d.line, `No keys found for access stanza source: '${d.sourceText}'`);
      continue;
    }
    if (d.hmacKey && Buffer.compare(Buffer.from(d.key), Buffer.from(d.hmacKey)) === 0) {
      err(d.line, `The encryption passphrase and HMAC key should not be identical for access stanza source: '${d.sourceText}'`);
      continue;
    }
    if (!d.hmacKey) warnings.push({ line: d.line, message: `no HMAC key for access stanza source: '${d.sourceText}': its packets are accepted without an HMAC (legacy)` });
    if (d.maxFwTimeout < (d.fwAccessTimeout ?? DEFAULT_FW_ACCESS_TIMEOUT)) warnings.push({ line: d.line, message: `Warning: MAX_FW_TIMEOUT < FW_ACCESS_TIMEOUT, honoring MAX_FW_TIMEOUT for stanza source: '${d.sourceText}'` });
    stanzas.push({
      line: d.line, sources: d.sources, openPorts: d.openPorts, restrictPorts: d.restrictPorts, key: d.key, hmacKey: d.hmacKey, hmacDigest: d.hmacDigest ?? "sha256",
      fwAccessTimeout: d.fwAccessTimeout, maxFwTimeout: d.maxFwTimeout, requireSourceAddress: d.requireSourceAddress, accessExpire: d.accessExpire,
      ...(d.requireUsername !== undefined ? { requireUsername: d.requireUsername } : {}),
    });
  }
  if (drafts.length === 0 && errors.length === 0) errors.push({ line: 0, message: "no access stanza (SOURCE) in the file" });
  errors.sort((a, b) => a.line - b.line);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, stanzas, warnings };
}
