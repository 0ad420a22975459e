import { isAbsolute, resolve } from "node:path";
import { isValidInterfaceName } from "@sesame/core";
import { DEFAULT_DB_PATH } from "@sesame/db";
import type { WorkerEnv } from "./env";

/**
 * Command line: knockd's flags (so an existing `knockd -d -i eth0 -c
 * /etc/knockd.conf` invocation keeps working) plus Sesame's own.
 */

export type BackendName = "nftables" | "iptables" | "command";

export interface WorkerOptions {
  dbPath: string;
  /** knockd.conf to import doors and commands from (`-c`). */
  configFile?: string;
  /** `-i`, repeatable and comma-separated; empty = settings / config file / default-route interface. */
  interfaces: string[];
  daemon: boolean;
  verbose: boolean;
  debug: boolean;
  logFile?: string;
  pidFile?: string;
  ipv4Only: boolean;
  /** `-l`: knockd's reverse DNS lookups; accepted, not performed (warned). */
  lookup: boolean;
  backend?: BackendName;
  /** JSON argv templates for `--backend command` (root-owned file). */
  commandTemplates?: string;
  maxAttempts?: number;
  heartbeatMs: number;
  /** Where the event syslog lines go (`logger -u`); default the system's /dev/log. */
  syslogSocket?: string;
}

export type CliResult =
  | { kind: "run"; options: WorkerOptions }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "error"; message: string };

export const VERSION = "sesame-worker 0.1.0 (knockd 0.8 compatible)";

export const USAGE = `usage: sesame-worker [options]
options:
  -i, --interface <int>  network interface(s) to listen on; repeat or comma-separate
                         (default: settings, then the config file, then the default-route interface)
  -d, --daemon           run as a daemon (detach; unnecessary under systemd)
  -c, --config <file>    knockd.conf to import doors and commands from
  -D, --debug            output debug messages
  -l, --lookup           accepted for knockd compatibility; DNS lookups are not performed
  -p, --pidfile <file>   write the pid to this file
  -g, --logfile <file>   append log lines to this file ([YYYY-MM-DD HH:MM] msg)
  -v, --verbose          be verbose
  -4, --only-ip-v4       do not track IPv6
  -V, --version          display version
  -h, --help             this help
sesame options:
      --db <path>        absolute database path (default: $SESAME_DB or ${DEFAULT_DB_PATH})
      --backend <name>   nftables (default) | iptables | command
      --command-templates <file>
                         JSON argv templates for --backend command (root-owned)
      --max-attempts <n> cap on pending knock attempts (default 250000)
      --heartbeat-ms <n> status heartbeat period (default 1000)
      --syslog-socket <path>
                         unix socket for the event syslog lines (Settings: send events
                         to syslog; default /dev/log)
`;

interface FlagSpec {
  short?: string;
  long: string;
  takesValue: boolean;
}

const FLAGS: FlagSpec[] = [
  { short: "i", long: "interface", takesValue: true },
  { short: "d", long: "daemon", takesValue: false },
  { short: "c", long: "config", takesValue: true },
  { short: "D", long: "debug", takesValue: false },
  { short: "l", long: "lookup", takesValue: false },
  { short: "p", long: "pidfile", takesValue: true },
  { short: "g", long: "logfile", takesValue: true },
  { short: "v", long: "verbose", takesValue: false },
  { short: "4", long: "only-ip-v4", takesValue: false },
  { short: "V", long: "version", takesValue: false },
  { short: "h", long: "help", takesValue: false },
  { long: "db", takesValue: true },
  { long: "backend", takesValue: true },
  { long: "command-templates", takesValue: true },
  { long: "max-attempts", takesValue: true },
  { long: "heartbeat-ms", takesValue: true },
  { long: "syslog-socket", takesValue: true },
];

function parseInteger(flag: string, value: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(value)) return `--${flag}: expected a whole number, got "${value}"`;
  const n = Number(value);
  if (n < min || n > max) return `--${flag}: must be between ${min} and ${max}, got ${n}`;
  return n;
}

/** Parses argv (without node and script). `cwd` resolves relative -c/-g/-p paths, as knockd would see them. */
export function parseCli(argv: string[], env: WorkerEnv, cwd = process.cwd()): CliResult {
  const opts: WorkerOptions = {
    dbPath: env.SESAME_DB ?? DEFAULT_DB_PATH,
    interfaces: [],
    daemon: false,
    verbose: false,
    debug: false,
    ipv4Only: false,
    lookup: false,
    heartbeatMs: 1000,
  };
  const pairs: { spec: FlagSpec; value?: string; shown: string }[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = FLAGS.find((f) => f.long === name);
      if (!spec) return { kind: "error", message: `unrecognized option '${arg}'` };
      if (!spec.takesValue) {
        if (eq !== -1) return { kind: "error", message: `option '--${name}' doesn't allow an argument` };
        pairs.push({ spec, shown: `--${name}` });
        continue;
      }
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) return { kind: "error", message: `option '--${name}' requires an argument` };
      pairs.push({ spec, value, shown: `--${name}` });
    } else if (arg.startsWith("-") && arg.length > 1) {
      // Clustered short flags like getopt: -vD, -ieth0, -c FILE.
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j] as string;
        const spec = FLAGS.find((f) => f.short === ch);
        if (!spec) return { kind: "error", message: `invalid option -- '${ch}'` };
        if (!spec.takesValue) {
          pairs.push({ spec, shown: `-${ch}` });
          continue;
        }
        const rest = arg.slice(j + 1);
        const value = rest !== "" ? rest : argv[++i];
        if (value === undefined) return { kind: "error", message: `option requires an argument -- '${ch}'` };
        pairs.push({ spec, value, shown: `-${ch}` });
        break;
      }
    } else {
      return { kind: "error", message: `unexpected argument '${arg}'` };
    }
  }

  for (const { spec, value = "", shown } of pairs) {
    switch (spec.long) {
      case "help":
        return { kind: "help", text: USAGE };
      case "version":
        return { kind: "version", text: VERSION };
      case "interface":
        for (const name of value.split(",").map((s) => s.trim()).filter(Boolean)) {
          if (!isValidInterfaceName(name)) return { kind: "error", message: `${shown}: invalid interface name "${name}"` };
          if (!opts.interfaces.includes(name)) opts.interfaces.push(name);
        }
        if (opts.interfaces.length === 0) return { kind: "error", message: `${shown}: expected an interface name` };
        break;
      case "daemon":
        opts.daemon = true;
        break;
      case "config":
        opts.configFile = resolve(cwd, value);
        break;
      case "debug":
        opts.debug = true;
        opts.verbose = true;
        break;
      case "lookup":
        opts.lookup = true;
        break;
      case "pidfile":
        opts.pidFile = resolve(cwd, value);
        break;
      case "logfile":
        opts.logFile = resolve(cwd, value);
        break;
      case "verbose":
        opts.verbose = true;
        break;
      case "only-ip-v4":
        opts.ipv4Only = true;
        break;
      case "db":
        if (!isAbsolute(value)) return { kind: "error", message: `--db: must be an absolute path, got "${value}"` };
        opts.dbPath = value;
        break;
      case "backend":
        if (value !== "nftables" && value !== "iptables" && value !== "command") {
          return { kind: "error", message: `--backend: expected nftables, iptables or command, got "${value}"` };
        }
        opts.backend = value;
        break;
      case "command-templates":
        opts.commandTemplates = resolve(cwd, value);
        break;
      case "max-attempts": {
        const n = parseInteger("max-attempts", value, 1, 10_000_000);
        if (typeof n === "string") return { kind: "error", message: n };
        opts.maxAttempts = n;
        break;
      }
      case "syslog-socket":
        opts.syslogSocket = resolve(cwd, value);
        break;
      case "heartbeat-ms": {
        const n = parseInteger("heartbeat-ms", value, 100, 60_000);
        if (typeof n === "string") return { kind: "error", message: n };
        opts.heartbeatMs = n;
        break;
      }
    }
  }
  if (opts.backend === "command" && !opts.commandTemplates) {
    return { kind: "error", message: "--backend command needs --command-templates FILE (the grant/revoke commands to run)" };
  }
  return { kind: "run", options: opts };
}
