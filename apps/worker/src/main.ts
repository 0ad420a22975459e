import { SETTING_DEFAULTS } from "@sesame/core";
import { openDb, type SesameDb } from "@sesame/db";
import type { FirewallBackend } from "@sesame/firewall";
import { parseCli, USAGE } from "./cli";
import { detachSelf, removePidFile, writePidFile } from "./daemon";
import { WORKER_DB_CACHE_KIB } from "./write-behind";
import { parseEnv } from "./env";
import { createFirewall } from "./firewall";
import { loadSettings } from "./db-read";
import { loadKnockdConf, type LoadedKnockdConf } from "./knockd-conf-file";
import { importKnockdDoors } from "./knockd-doors-to-db";
import { Logger } from "./log";
import { routePcapWarnings } from "./pcap-session";
import { createWorker } from "./wiring";
import { runMain } from "./run-main";

/**
 * sesame-worker: the privileged daemon (capture + firewall). Exit codes: 0
 * on a clean stop or -h/-V, 1 on bad flags, a bad knockd.conf, or a database
 * or backend that cannot be opened at start. Once running it never exits on
 * its own: interfaces, the database and the firewall may fail and come back.
 */

/** The worker's connection waits at most this long for a lock; the write-behind queue retries. */
const RUNTIME_BUSY_TIMEOUT_MS = 20;

async function main(argv: string[]): Promise<number> {
  const env = parseEnv(process.env);
  if (!env.ok) {
    process.stderr.write(`sesame-worker: ${env.message}\n`);
    return 1;
  }
  const cli = parseCli(argv, env.env);
  if (cli.kind === "help" || cli.kind === "version") {
    process.stdout.write(`${cli.text}\n`);
    return 0;
  }
  if (cli.kind === "error") {
    process.stderr.write(`sesame-worker: ${cli.message}\n${USAGE}`);
    return 1;
  }
  const options = cli.options;
  const log = new Logger({ verbose: options.verbose, debug: options.debug, logFile: options.logFile, useSyslog: false });
  routePcapWarnings((m) => log.debug(m));
  if (options.lookup) log.warn("-l: reverse DNS lookups are not performed; addresses are logged as they are");

  let knockd: LoadedKnockdConf | null = null;
  if (options.configFile) {
    const r = loadKnockdConf(options.configFile, log);
    if (!r.ok) {
      for (const m of r.messages) process.stderr.write(`${m}\n`);
      await log.close();
      return 1;
    }
    knockd = r.loaded;
    const o = knockd.config.options;
    if (!options.logFile && o.logFile) log.setLogFile(o.logFile);
    log.setSyslog(o.useSyslog);
  }

  if (options.daemon && !env.env.SESAME_WORKER_DETACHED) {
    const pid = detachSelf();
    log.verbose(`detached as pid ${pid}`);
    await log.close();
    return 0;
  }
  const pidFile = options.pidFile ?? (options.daemon ? (knockd?.config.options.pidFile ?? "/run/sesame-worker.pid") : undefined);

  let db: SesameDb;
  try {
    db = openDb(options.dbPath, { migrate: true, cacheKib: WORKER_DB_CACHE_KIB });
  } catch (e) {
    log.error(`cannot open database ${options.dbPath}: ${(e as Error).message}`);
    await log.close();
    return 1;
  }
  if (knockd) {
    try {
      const r = importKnockdDoors(db, knockd, Date.now(), log);
      log.verbose(`config: ${knockd.path}: ${r.inserted} new, ${r.updated} updated, ${r.removed} removed, ${r.skipped} skipped doors`);
    } catch (e) {
      log.error(`config: import into the database failed: ${(e as Error).message}`);
    }
  }
  db.$client.pragma(`busy_timeout = ${RUNTIME_BUSY_TIMEOUT_MS}`);

  let firewall: FirewallBackend;
  try {
    firewall = createFirewall(options.backend ?? loadSettings(db).backend ?? SETTING_DEFAULTS.backend, {
      commandTemplates: options.commandTemplates,
      onBackgroundError: (m) => log.error(m),
    });
  } catch (e) {
    log.error(`firewall: ${(e as Error).message}`);
    await log.close();
    return 1;
  }

  if (pidFile) {
    try {
      writePidFile(pidFile);
    } catch (e) {
      log.error(`cannot write pidfile ${pidFile}: ${(e as Error).message}`);
    }
  }

  const worker = createWorker({ options, db, log, firewall, knockd });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.verbose(`${signal} received`);
    await worker.shutdown();
    db.$client.close();
    // The log is flushed before the pidfile goes: whoever waits for it to vanish reads the last line.
    await log.close();
    if (pidFile) removePidFile(pidFile);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGHUP", () => {
    log.log("SIGHUP: reloading");
    worker.reloadConfigFile();
  });
  process.on("uncaughtException", (e) => {
    // A bug: say so loudly and let the supervisor restart us (kernel timeouts keep grants honest).
    log.error(`uncaught exception: ${e.stack ?? e.message}`);
    void log.close().finally(() => process.exit(1));
  });
  worker.start();
  return -1;
}

runMain("sesame-worker", main);
