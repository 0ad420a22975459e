import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { isValidAccessMessage, parseFwknoprc, spaKeysFromRc } from "@sesame/core/spa";
import { parseSpaArgs } from "./spa-args";
import { sendSpa, type SpaSendOptions } from "./spa";

export const SPA_USAGE = `usage: knock --spa [options] [host]
Sends one fwknop-compatible SPA packet (Rijndael + HMAC, UDP).
  -n, --named-config NAME   take keys and settings from the [NAME] stanza of ~/.fwknoprc
      --rc-file FILE        another rc file
      --key-file FILE       keys as 'fwknop --key-gen' prints them (KEY_BASE64, HMAC_KEY_BASE64)
  -A, --access PORTS        ports to open, e.g. tcp/22,udp/53
  -a, --allow-ip IP         the IPv4 address to open for
  -s, --source-ip           open for the packet's source address (IPv6 too)
  -D, --destination HOST    the server (or give it as the last argument)
  -p, --server-port N       default 62201
  -f, --fw-timeout SEC      ask for this long (the server caps it)
  -U, --spoof-user NAME     the username field (default: your login name)
  -m, --digest-type D       message digest (default sha256)
      --hmac-digest-type D  HMAC digest (default sha256, or the stanza's)
      --time-offset-plus T, --time-offset-minus T   shift the timestamp (s, m, h, d)
  -4, -6, -v, -T (build and print, do not send), -h
`;

export interface SpaCliIo {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  env: NodeJS.ProcessEnv;
  send?: (o: SpaSendOptions) => Promise<{ packet: string; address: string; port: number }>;
}

/** `knock --spa …`; returns the exit status. */
export async function runSpaCli(argv: readonly string[], io: SpaCliIo): Promise<number> {
  const fail = (m: string) => (io.stderr(`knock: ${m}\n`), 1);
  const parsed = parseSpaArgs(argv);
  if (!parsed.ok) return fail(parsed.error);
  const a = parsed.args;
  if (a.help) return io.stdout(SPA_USAGE), 0;
  let vars: Record<string, string> = {};
  try {
    if (a.named !== undefined) {
      const rc = parseFwknoprc(readFileSync(a.rcFile ?? join(io.env.HOME ?? homedir(), ".fwknoprc"), "utf8"));
      const stanza = rc.get(a.named);
      if (!stanza) return fail(`no stanza [${a.named}] in ${a.rcFile ?? "~/.fwknoprc"}`);
      vars = { ...(rc.get("default") ?? {}), ...stanza };
    }
    if (a.keyFile !== undefined) vars = { ...vars, ...(parseFwknoprc(readFileSync(a.keyFile, "utf8")).get("") ?? {}) };
  } catch (e) {
    return fail((e as Error).message);
  }
  if (a.hmacDigest) vars.HMAC_DIGEST_TYPE = a.hmacDigest;
  if (a.digest) vars.DIGEST_TYPE = a.digest;
  const keys = spaKeysFromRc(vars);
  if (!keys.ok) return fail(`${keys.error} (give -n NAME or --key-file FILE)`);
  const host = a.host ?? vars.SPA_SERVER;
  const access = a.access ?? vars.ACCESS;
  let allow = a.allowIp ?? vars.ALLOW_IP;
  if (!host) return fail("no server (-D HOST or the last argument)");
  if (!access) return fail("no ports to open (-A tcp/22)");
  if (!allow) return fail("say whom to open for: -a IP or -s");
  if (allow.toLowerCase() === "source") allow = "0.0.0.0";
  if (!isValidAccessMessage(`${allow},${access}`)) return fail(`invalid access request '${allow},${access}' (-a takes an IPv4 address, -A tcp/PORT or udp/PORT)`);
  const port = a.port ?? (vars.SPA_SERVER_PORT ? Number(vars.SPA_SERVER_PORT) : undefined);
  const fwTimeout = a.fwTimeout ?? (vars.FW_TIMEOUT ? Number(vars.FW_TIMEOUT) : undefined);
  const username = a.username ?? vars.SPOOF_USER ?? io.env.SPOOF_USER ?? io.env.LOGNAME ?? io.env.USER ?? "NO_USER";
  try {
    const sent = await (io.send ?? sendSpa)({
      host, access, allowIp: allow, username, keys: keys.keys, digest: keys.digest, timeOffsetSec: a.timeOffsetSec, testOnly: a.testOnly,
      ...(port !== undefined ? { port } : {}), ...(fwTimeout !== undefined ? { fwTimeout } : {}), ...(a.family ? { family: a.family } : {}),
    });
    if (a.verbose || a.testOnly) io.stdout(`${a.testOnly ? "built" : "sent"} SPA packet to ${sent.address} udp/${sent.port} (${sent.packet.length} bytes): ${sent.packet}\n`);
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  }
}
