import { isAbsolute, resolve } from "node:path";
import { isValidInterfaceName } from "@sesame/core";
import { DEFAULT_DB_PATH } from "@sesame/db";
import type { WorkerEnv } from "./env";

/**
 * sesame-fwknopd's command line: fwknopd's flags for what the drop-in does
 * (it always stays in the foreground; fwknopd's own -K/-R/-S process control
 * is systemd's job here), plus --db and --backend.
 */
export interface FwknopdOptions {
  configFile: string;
  accessFile?: string;
  digestFile?: string;
  interface?: string;
  pidFile?: string;
  dbPath: string;
  backend?: "nftables" | "iptables";
  dumpConfig: boolean;
  verbose: number;
  test: boolean;
}

export const FWKNOPD_USAGE = `usage: sesame-fwknopd [options]
fwknopd's options:
  -c, --config-file FILE   fwknopd.conf (default /etc/fwknop/fwknopd.conf)
  -a, --access-file FILE   access.conf (default: ACCESS_FILE, else /etc/fwknop/access.conf)
  -i, --interface IFACE    capture on IFACE (overrides PCAP_INTF)
  -d, --digest-file FILE   accepted: digests are kept in the database's replay cache
  -p, --pid-file FILE      write the pid here
  -f, --foreground         accepted (sesame-fwknopd always runs in the foreground)
  -D, --dump-config        print the configuration and the access stanzas, then exit
  -t, --test               decide and log, change no firewall rule
  -v, --verbose            more messages (repeatable)
  -V, --version, -h, --help
sesame options:
      --db PATH            absolute database path (default: $SESAME_DB or ${DEFAULT_DB_PATH})
      --backend NAME       nftables (default) | iptables
`;

export const FWKNOPD_VERSION = "sesame-fwknopd 0.1.0 (fwknopd 2.6.10 compatible, FKO protocol 3.0.0)";

const VALUE: Record<string, keyof FwknopdOptions | "db"> = {
  "-c": "configFile", "--config-file": "configFile", "-a": "accessFile", "--access-file": "accessFile", "-d": "digestFile", "--digest-file": "digestFile",
  "-i": "interface", "--interface": "interface", "-p": "pidFile", "--pid-file": "pidFile", "--db": "db", "--backend": "backend",
};

export type FwknopdCli = { kind: "run"; options: FwknopdOptions } | { kind: "help" | "version"; text: string } | { kind: "error"; message: string };

export function parseFwknopdCli(argv: readonly string[], env: WorkerEnv, cwd = process.cwd()): FwknopdCli {
  const o: FwknopdOptions = { configFile: "/etc/fwknop/fwknopd.conf", dbPath: env.SESAME_DB ?? DEFAULT_DB_PATH, dumpConfig: false, verbose: 0, test: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const opt = eq === -1 ? raw : raw.slice(0, eq);
    if (opt === "-h" || opt === "--help") return { kind: "help", text: FWKNOPD_USAGE };
    if (opt === "-V" || opt === "--version") return { kind: "version", text: FWKNOPD_VERSION };
    if (opt === "-f" || opt === "--foreground") continue;
    if (opt === "-D" || opt === "--dump-config") o.dumpConfig = true;
    else if (opt === "-t" || opt === "--test") o.test = true;
    else if (/^-v+$/.test(opt)) o.verbose += opt.length - 1;
    else if (opt === "--verbose") o.verbose++;
    else if (VALUE[opt]) {
      const v = eq !== -1 ? raw.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") return { kind: "error", message: `option ${opt} requires an argument` };
      const key = VALUE[opt];
      if (key === "db") {
        if (!isAbsolute(v)) return { kind: "error", message: `--db: must be an absolute path, got "${v}"` };
        o.dbPath = v;
      } else if (key === "backend") {
        if (v !== "nftables" && v !== "iptables") return { kind: "error", message: `--backend: expected nftables or iptables, got "${v}"` };
        o.backend = v;
      } else if (key === "interface") {
        if (!isValidInterfaceName(v)) return { kind: "error", message: `${opt}: invalid interface name "${v}"` };
        o.interface = v;
      } else (o as unknown as Record<string, string>)[key] = resolve(cwd, v);
    } else if (["-K", "--kill", "-R", "--restart", "-S", "--status"].includes(opt)) {
      return { kind: "error", message: `${opt} is not supported: control the service with systemctl (sesame-fwknopd never forks)` };
    } else return { kind: "error", message: `unrecognized option '${raw}'` };
  }
  return { kind: "run", options: o };
}
