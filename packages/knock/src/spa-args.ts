import { parseSpaDigest, type SpaDigest } from "@sesame/core/spa";

/**
 * `knock --spa …`: fwknop's client options for what Sesame's client does
 * (Rijndael + HMAC over UDP). Keys are never taken from the command line
 * (they would show in `ps`): they come from `-n NAME` (a ~/.fwknoprc
 * stanza, as `fwknop -n NAME`) or `--key-file FILE` (what `fwknop --key-gen`
 * prints, or a stanza's lines). Values given here override the stanza's.
 */
export interface SpaArgs {
  host?: string;
  access?: string;
  /** An IPv4 address, or "source" for -s (0.0.0.0). */
  allowIp?: string;
  port?: number;
  fwTimeout?: number;
  username?: string;
  digest?: SpaDigest;
  hmacDigest?: SpaDigest;
  named?: string;
  rcFile?: string;
  keyFile?: string;
  family?: 4 | 6;
  timeOffsetSec: number;
  testOnly: boolean;
  verbose: boolean;
  help: boolean;
}

const VALUE_OPTS: Record<string, string> = {
  "-A": "access", "--access": "access", "-a": "allow", "--allow-ip": "allow", "-D": "host", "--destination": "host",
  "-p": "port", "--server-port": "port", "-f": "timeout", "--fw-timeout": "timeout", "-U": "user", "--spoof-user": "user",
  "-m": "digest", "--digest-type": "digest", "--hmac-digest-type": "hmacDigest", "-n": "named", "--named-config": "named",
  "--rc-file": "rcFile", "--key-file": "keyFile", "--time-offset-plus": "plus", "--time-offset-minus": "minus",
};
const SECRET_OPTS = new Set(["--key-rijndael", "--key-base64-rijndael", "--key-base64-hmac", "--key-hmac"]);

/** fwknop's time offsets: seconds, or with a suffix s, m, h, d. */
function parseOffset(v: string): number | null {
  const m = /^(\d{1,9})([smhd]?)$/i.exec(v);
  if (!m) return null;
  return Number(m[1]) * ({ "": 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[(m[2] as string).toLowerCase()]!;
}

export function parseSpaArgs(argv: readonly string[]): { ok: true; args: SpaArgs } | { ok: false; error: string } {
  const a: SpaArgs = { timeOffsetSec: 0, testOnly: false, verbose: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    if (raw === "--spa") continue;
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const opt = eq === -1 ? raw : raw.slice(0, eq);
    if (SECRET_OPTS.has(opt)) return { ok: false, error: `${opt}: keys are not taken from the command line (ps shows it); use -n NAME or --key-file FILE` };
    if (opt === "-s" || opt === "--source-ip") a.allowIp = "source";
    else if (opt === "-T" || opt === "--test") a.testOnly = true;
    else if (opt === "-v" || opt === "--verbose") a.verbose = true;
    else if (opt === "-4") a.family = 4;
    else if (opt === "-6") a.family = 6;
    else if (opt === "-h" || opt === "--help") a.help = true;
    else if (VALUE_OPTS[opt]) {
      const v = eq !== -1 ? raw.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") return { ok: false, error: `option ${opt} requires an argument` };
      const what = VALUE_OPTS[opt];
      if (what === "access") a.access = v;
      else if (what === "allow") a.allowIp = v;
      else if (what === "host") a.host = v;
      else if (what === "user") a.username = v;
      else if (what === "named") a.named = v;
      else if (what === "rcFile") a.rcFile = v;
      else if (what === "keyFile") a.keyFile = v;
      else if (what === "port" || what === "timeout") {
        if (!/^\d{1,5}$/.test(v) || (what === "port" && (Number(v) < 1 || Number(v) > 65535))) return { ok: false, error: `invalid ${what === "port" ? "port" : "timeout"} '${v}'` };
        if (what === "port") a.port = Number(v);
        else a.fwTimeout = Number(v);
      } else if (what === "digest" || what === "hmacDigest") {
        const d = parseSpaDigest(v);
        if (!d) return { ok: false, error: `unknown digest '${v}' (md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512)` };
        a[what] = d;
      } else {
        const s = parseOffset(v);
        if (s === null) return { ok: false, error: `invalid time offset '${v}'` };
        a.timeOffsetSec += what === "plus" ? s : -s;
      }
    } else if (raw.startsWith("-") && raw !== "-") return { ok: false, error: `unrecognized option '${raw}'` };
    else positional.push(raw);
  }
  if (positional.length > 1) return { ok: false, error: `unexpected argument '${positional[1]}'` };
  if (positional[0] !== undefined) a.host = positional[0];
  return { ok: true, args: a };
}
