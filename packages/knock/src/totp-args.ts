import { parseArgs } from "node:util";
import { DEFAULT_TOTP_SETTINGS, TotpSettingsSchema, isTotpCode, type TotpSettings } from "@sesame/core";

/**
 * `sesame knock` (rotating TOTP sequences): where the code comes from, the
 * site's sequence settings, and knock's own -d/-4/-6/-v. The secret is never
 * taken from the command line (ps shows it to every user): a file, or the
 * environment.
 */
export type CodeSource = { kind: "code"; code: string } | { kind: "secret-file"; path: string } | { kind: "secret-env" };

export interface TotpKnockCommand {
  host: string;
  source: CodeSource;
  settings: TotpSettings;
  /** Print the knock command only; send nothing. */
  dryRun: boolean;
  delayMs: number;
  family?: 4 | 6;
  verbose: boolean;
}

export type ParseTotpArgsResult = { ok: true; command: TotpKnockCommand } | { ok: true; command: "help" } | { ok: false; error: string };

/** Environment variable holding the base32 secret when neither --totp nor --secret-file is given. */
export const SECRET_ENV = "SESAME_TOTP_SECRET";

export const TOTP_USAGE = `usage: sesame knock [options] <host>
  --totp <code>         the 6-digit code your authenticator app shows
  --secret-file <file>  or compute it from the base32 secret in <file>
                        (without either: the secret in $${SECRET_ENV})
  --range <low-high>    the site's port range (default ${DEFAULT_TOTP_SETTINGS.portLow}-${DEFAULT_TOTP_SETTINGS.portHigh})
  --length <n>          knocks per sequence (default ${DEFAULT_TOTP_SETTINGS.length})
  --protocols <p>       tcp, udp or mix (default ${DEFAULT_TOTP_SETTINGS.protocols})
  -n, --dry-run         print the knock command, send nothing
  -d, --delay <ms>      wait <ms> between hits
  -4, -6                force IPv4 / IPv6
  -v, --verbose         print each hit
  -h, --help            this help

example:  sesame knock server.example.org --totp 123456
`;

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Parse `sesame knock`'s arguments (after the subcommand). */
export function parseTotpKnockArgs(argv: readonly string[]): ParseTotpArgsResult {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        totp: { type: "string" },
        "secret-file": { type: "string" },
        range: { type: "string" },
        length: { type: "string" },
        protocols: { type: "string" },
        "dry-run": { type: "boolean", short: "n" },
        delay: { type: "string", short: "d" },
        ipv4: { type: "boolean", short: "4" },
        ipv6: { type: "boolean", short: "6" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
        secret: { type: "string" },
      },
    }));
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  if (values.help) return { ok: true, command: "help" };
  if (values.secret !== undefined) return { ok: false, error: `the secret is never given on the command line (every user sees it in ps): use --secret-file or $${SECRET_ENV}` };
  const [host, ...extra] = positionals;
  if (host === undefined || host === "") return { ok: false, error: "missing host" };
  if (extra.length > 0) return { ok: false, error: `unexpected argument '${extra[0]}' (the ports come from the code)` };

  const code = values.totp as string | undefined;
  const file = values["secret-file"] as string | undefined;
  if (code !== undefined && file !== undefined) return { ok: false, error: "give --totp or --secret-file, not both" };
  if (code !== undefined && !isTotpCode(code)) return { ok: false, error: `'${code}' is not a 6-digit code` };
  const source: CodeSource = code !== undefined ? { kind: "code", code } : file !== undefined ? { kind: "secret-file", path: file } : { kind: "secret-env" };

  const settings = { ...DEFAULT_TOTP_SETTINGS };
  if (values.range !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(values.range as string);
    if (!m) return { ok: false, error: `--range '${values.range}' is not low-high (e.g. 40000-49999)` };
    settings.portLow = Number(m[1]);
    settings.portHigh = Number(m[2]);
  }
  if (values.length !== undefined) {
    const n = wholeNumber(values.length as string);
    if (n === undefined) return { ok: false, error: `--length '${values.length}' is not a whole number` };
    settings.length = n;
  }
  if (values.protocols !== undefined) settings.protocols = values.protocols as TotpSettings["protocols"];
  const checked = TotpSettingsSchema.safeParse(settings);
  if (!checked.success) return { ok: false, error: checked.error.issues[0]?.message ?? "invalid settings" };

  let delayMs = 0;
  if (values.delay !== undefined) {
    const d = wholeNumber(values.delay as string);
    if (d === undefined) return { ok: false, error: `invalid delay '${values.delay}' (expected milliseconds, a whole number)` };
    delayMs = d;
  }
  const family = values.ipv6 ? 6 : values.ipv4 ? 4 : undefined;
  return { ok: true, command: { host, source, settings: checked.data, dryRun: values["dry-run"] === true, delayMs, family, verbose: values.verbose === true } };
}
