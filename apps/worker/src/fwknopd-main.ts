import { readFileSync } from "node:fs";
import { parseAccessConf, parseFwknopdConf, stanzasToSpaUsers, type AccessStanza, type FwknopdConfig } from "@sesame/core/spa";
import { openDb } from "@sesame/db";
import type { WorkerOptions } from "./cli";
import { parseEnv } from "./env";
import { createFirewall } from "./firewall";
import { parseFwknopdCli, FWKNOPD_USAGE } from "./fwknopd-cli";
import { Logger } from "./log";
import { routePcapWarnings } from "./pcap-session";
import { createWorker } from "./wiring";
import { WORKER_DB_CACHE_KIB } from "./write-behind";
import { removePidFile, writePidFile } from "./daemon";
import { runMain } from "./run-main";

/**
 * sesame-fwknopd: fwknopd's drop-in. Reads fwknopd.conf and access.conf as
 * fwknopd does (errors with line numbers, unsupported directives named),
 * runs the Sesame worker with the stanzas as its SPA users (from these
 * root-owned files, not from the database) and enforces with its own
 * nftables table. Grants, events and replay digests go to the database.
 */

function readOrExplain(path: string, what: string): string | { error: string } {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    return { error: `[*] Could not open ${what} file: ${path}: ${(e as Error).message}` };
  }
}

function dump(conf: FwknopdConfig, stanzas: AccessStanza[]): string {
  const ports = (p: { protocol: string; port: number }[] | null) => (p ? p.map((x) => `${x.protocol}/${x.port}`).join(", ") : "<not set>");
  const lines = [
    "Current fwknopd config settings:",
    `  PCAP_INTF:                 ${conf.pcapIntf ?? "<not set>"}`,
    `  PCAP_FILTER:               ${conf.pcapFilter}`,
    `  ENABLE_SPA_PACKET_AGING:   ${conf.enableSpaPacketAging ? "Y" : "N"}`,
    `  MAX_SPA_PACKET_AGE:        ${conf.maxSpaPacketAge}`,
    `  ENABLE_DIGEST_PERSISTENCE: ${conf.enableDigestPersistence ? "Y" : "N"}`,
    "",
    "Current fwknopd access settings:",
  ];
  stanzas.forEach((s, i) => {
    lines.push(
      `SOURCE (${i + 1}):  ${s.sources.length > 0 ? s.sources.join(", ") : "ANY"}`,
      "==============================================================",
      `                 OPEN_PORTS:  ${ports(s.openPorts)}`,
      `             RESTRICT_PORTS:  ${s.restrictPorts.length > 0 ? ports(s.restrictPorts) : "<not set>"}`,
      "                        KEY:  <see the access.conf file>",
      `                   HMAC_KEY:  ${s.hmacKey ? "<see the access.conf file>" : "<not set>"}`,
      `           HMAC_DIGEST_TYPE:  ${s.hmacDigest}`,
      `          FW_ACCESS_TIMEOUT:  ${s.fwAccessTimeout ?? conf.fwAccessTimeout ?? 30}`,
      `             MAX_FW_TIMEOUT:  ${s.maxFwTimeout}`,
      `           REQUIRE_USERNAME:  ${s.requireUsername ?? "<not set>"}`,
      `     REQUIRE_SOURCE_ADDRESS:  ${s.requireSourceAddress ? "Yes" : "No"}`,
      `              ACCESS_EXPIRE:  ${s.accessExpire === null ? "<not set>" : new Date(s.accessExpire).toISOString()}`,
      "",
    );
  });
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const env = parseEnv(process.env);
  if (!env.ok) return process.stderr.write(`sesame-fwknopd: ${env.message}\n`), 1;
  const cli = parseFwknopdCli(argv, env.env);
  if (cli.kind === "error") return process.stderr.write(`sesame-fwknopd: ${cli.message}\n${FWKNOPD_USAGE}`), 1;
  if (cli.kind !== "run") return process.stdout.write(`${cli.text}\n`), 0;
  const o = cli.options;
  const confText = readOrExplain(o.configFile, "config");
  if (typeof confText !== "string") return process.stderr.write(`${confText.error}\n`), 1;
  const conf = parseFwknopdConf(confText);
  for (const w of conf.warnings) process.stderr.write(`${o.configFile}: line ${w.line}: ${w.message}\n`);
  if (!conf.ok) {
    for (const e of conf.errors) process.stderr.write(`${o.configFile}: line ${e.line}: ${e.message}\n`);
    return 1;
  }
  const accessFile = o.accessFile ?? conf.config.accessFile ?? "/etc/fwknop/access.conf";
  const accessText = readOrExplain(accessFile, "access");
  if (typeof accessText !== "string") return process.stderr.write(`${accessText.error}\n`), 1;
  const access = parseAccessConf(accessText);
  for (const w of access.warnings) process.stderr.write(`${accessFile}: line ${w.line}: ${w.message}\n`);
  if (!access.ok) {
    for (const e of access.errors) process.stderr.write(`${accessFile}: line ${e.line}: ${e.message}\n`);
    process.stderr.write(`[*] Data error in access file: '${accessFile}'\n`);
    return 1;
  }
  if (o.dumpConfig) return process.stdout.write(`${dump(conf.config, access.stanzas)}\n`), 0;

  const log = new Logger({ verbose: o.verbose > 0, debug: o.verbose > 1, useSyslog: false });
  routePcapWarnings((m) => log.debug(m));
  if (o.digestFile) log.verbose(`digest file ${o.digestFile}: SPA digests are kept in the database's replay cache (${o.dbPath})`);
  const iface = o.interface ?? conf.config.pcapIntf;
  const options: WorkerOptions = {
    dbPath: o.dbPath, interfaces: iface ? [iface] : [], daemon: false, verbose: o.verbose > 0, debug: o.verbose > 1, ipv4Only: false, lookup: false, heartbeatMs: 1000,
    ...(o.pidFile ? { pidFile: o.pidFile } : {}), ...(o.backend ? { backend: o.backend } : {}),
  };
  let db;
  try {
    db = openDb(o.dbPath, { migrate: true, cacheKib: WORKER_DB_CACHE_KIB });
  } catch (e) {
    log.error(`cannot open database ${o.dbPath}: ${(e as Error).message}`);
    return 1;
  }
  db.$client.pragma("busy_timeout = 20");
  const firewall = createFirewall(o.backend ?? "nftables", { onBackgroundError: (m) => log.error(m) });
  if (o.pidFile) writePidFile(o.pidFile);
  const users = stanzasToSpaUsers(access.stanzas, { ...(conf.config.fwAccessTimeout ? { fwAccessTimeout: conf.config.fwAccessTimeout } : {}) });
  log.log(`Starting fwknopd (sesame-fwknopd): ${users.length} access stanza${users.length === 1 ? "" : "s"}, PCAP filter 'udp dst port ${conf.config.spaPort}'`);
  const worker = createWorker({
    options, db, log, firewall, knockd: null,
    spaConfig: {
      users, port: conf.config.spaPort, fwknopdLines: true, testOnly: o.test,
      maxAgeSec: conf.config.enableSpaPacketAging ? conf.config.maxSpaPacketAge : Number.POSITIVE_INFINITY,
      persistDigests: conf.config.enableDigestPersistence,
    },
  });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.log(`Got ${signal}.  Exiting...`);
    await worker.shutdown();
    db.$client.close();
    await log.close();
    if (o.pidFile) removePidFile(o.pidFile);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  worker.start();
  return -1;
}

runMain("sesame-fwknopd", main);
