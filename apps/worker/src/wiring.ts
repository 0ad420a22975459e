import { Matcher, SHUTTING_DOWN_LINE } from "@sesame/core";
import type { SpaUser } from "@sesame/core/spa";
import type { SesameDb } from "@sesame/db";
import type { FirewallBackend } from "@sesame/firewall";
import { followAttemptCap } from "./attempt-cap";
import { BackendSwitch } from "./backend-switch";
import { CaptureManager } from "./capture";
import type { BackendName, WorkerOptions } from "./cli";
import { CommandRunner } from "./commands";
import { loadSettings, type WorkerSettings } from "./db-read";
import { FrameDecoder } from "./decode";
import { Decisions } from "./decisions";
import { DoorTable } from "./door-table";
import { EventSyslog, eventSyslogArgs } from "./event-syslog";
import { createFirewall } from "./firewall";
import { FirewallQueue } from "./firewall-queue";
import { Health } from "./health";
import { Heartbeat, type StatusSnapshot } from "./heartbeat";
import { KnockdConfHolder, commandLookup, type LoadedKnockdConf } from "./knockd-conf-file";
import { reimportKnockdConf } from "./knockd-doors-to-db";
import { BanLedger, GrantLedger, expireLedger } from "./ledger";
import { ListenPlan } from "./listen-plan";
import { LocalAddresses } from "./local-addresses";
import { spawnSyslogSink, type Logger } from "./log";
import { MatchEventLog } from "./match-event-log";
import { FloodMemoryRelease } from "./memory-release";
import { OneTimeProgress } from "./one-time-progress";
import { Reloader } from "./reload";
import { RotatingDoors } from "./rotating-doors";
import { RowWarnings } from "./row-warnings";
import { SpaActions } from "./spa-actions";
import { ReplayCache } from "./spa-replay";
import { SpaVerifier } from "./spa-verifier";
import { TrustedAndProtected } from "./trusted-and-protected";
import { collectStats } from "./worker-stats";
import { WriteBehind } from "./write-behind";

/**
 * The running worker, wired in one place. The packet path, top to bottom:
 * capture (pcap sessions per interface) → decode → recognizers (the knock
 * matcher, over the stored doors and the users' rotating sequences) → decisions → firewall queue → backend. Around it: the database
 * kept in step both ways (reload for what the UI writes, write-behind for
 * what happens), backend switching, the heartbeat. Each stage is handed the
 * next one, so they are built from the firewall end back to capture.
 * Everything here is long-lived and never exits on its own; only
 * shutdown() ends it.
 */

export interface WorkerDeps {
  options: WorkerOptions;
  db: SesameDb;
  log: Logger;
  firewall: FirewallBackend;
  knockd: LoadedKnockdConf | null;
  now?: () => number;
  /** Builds the backend a `backend` setting change switches to (default: createFirewall). */
  createBackend?: (name: BackendName) => FirewallBackend;
  /** sesame-fwknopd: the SPA users come from access.conf (not the database), with fwknopd.conf's settings. */
  spaConfig?: SpaConfig;
}

export interface SpaConfig {
  users: SpaUser[];
  port: number;
  maxAgeSec: number;
  /** ENABLE_DIGEST_PERSISTENCE: keep digests in replay_cache (else in memory only). */
  persistDigests: boolean;
  /** Log lines in fwknopd's wording. */
  fwknopdLines: boolean;
  /** fwknopd --test: decide and log, open nothing. */
  testOnly: boolean;
}

export interface RunningWorker {
  /** Restores the kernel from the database, starts capture and the periodic work. */
  start(): void;
  /** SIGHUP: re-read the knockd.conf (if any), reopen the log file, reload from the database. */
  reloadConfigFile(): void;
  /** SIGTERM/SIGINT: stop capturing, let running commands and firewall calls finish, flush, detach. */
  shutdown(): Promise<void>;
}

const POLL_MS = 250;
const TICK_MS = 1000;

export function createWorker(deps: WorkerDeps): RunningWorker {
  const { options, db, log } = deps;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const health = new Health(now);
  const eventSyslog = new EventSyslog({ open: () => spawnSyslogSink((m) => log.error(m), eventSyslogArgs(options.syslogSocket)) });
  const writer = new WriteBehind({
    db,
    onError: (m) => {
      log.error(m);
      health.report(m);
    },
    onEvent: (row) => eventSyslog.record(row),
  });
  const knockdConf = new KnockdConfHolder(deps.knockd);
  const warnings = new RowWarnings({ log, writer, now });

  // The back end of the packet path: one queue in front of one backend.
  const queue = new FirewallQueue(deps.firewall, { writer, health, log, now });
  const spaConfig = deps.spaConfig;
  const replay = new ReplayCache({ writer, now, persist: spaConfig?.persistDigests ?? true });
  const spa = new SpaVerifier({ replay, now, ...(spaConfig ? { maxAgeSec: spaConfig.maxAgeSec } : {}) });
  const lists = new TrustedAndProtected({ queue, warnings, log, now, userPorts: () => spa.userPorts() });
  const grants = new GrantLedger();
  const bans = new BanLedger();
  const commands = new CommandRunner({ log, writer, now, stdio: process.env.SESAME_WORKER_DETACHED ? "ignore" : "inherit", stopCommandFor: (s, f) => knockdConf.stopCommandFor(s, f) });

  // Recognizers and the decision step.
  const local = new LocalAddresses(options.ipv4Only);
  // --max-attempts, else the UI's setting (followed live: followSettings), else the default.
  const matcher = new Matcher([], { now, isLocalAddress: (ip) => local.has(ip), maxAttempts: options.maxAttempts ?? loadSettings(db).maxAttempts });
  const doors = new DoorTable();
  const rotating = new RotatingDoors();
  const eventLog = new MatchEventLog({ writer, log, now });
  const spaActions = new SpaActions({ queue, grants, bans, writer, log, now, fwknopdLines: spaConfig?.fwknopdLines ?? false, testOnly: spaConfig?.testOnly ?? false });
  const decisions = new Decisions({
    recognizers: [matcher, spa],
    spa: spaActions,
    doors,
    oneTime: new OneTimeProgress({ writer, log, knockdConf }),
    rotating,
    // The one edge back up the path: a one-time door that moves on changes what capture listens for.
    filter: { refresh: () => listen.refresh() },
    eventLog,
    grants, bans, queue, writer, commands, trusted: lists, log, now, ipv4Only: options.ipv4Only,
  });

  // The front of the packet path: capture decodes each frame and hands batches to the decisions.
  const decoder = new FrameDecoder();
  const capture = new CaptureManager({
    log, now, decoder, sink: decisions,
    onStateChange: (iface, state, detail) => {
      if (state === "listening") health.clear(`iface:${iface}`);
      else health.set(`iface:${iface}`, detail);
    },
  });

  // The database and the settings.
  const reloader = new Reloader({
    db, decisions, doors, rotating, grants, bans, lists, warnings, queue, writer, log, now, commandFor: () => commandLookup(knockdConf.current()), onChange: followSettings,
    spaUsers: (users, port) => {
      spa.setUsers(spaConfig?.users ?? users, spaConfig?.port ?? port);
      decoder.setSpaPort(spa.spaPort);
    },
  });
  const listen = new ListenPlan({ options, settings: reloader, knockdConf, doors, local, capture, health, log, spaPort: () => spa.spaPort });
  const backend = new BackendSwitch({
    queue, state: reloader, settings: reloader, pinned: options.backend, writer, health, log, now,
    createBackend: deps.createBackend ?? ((n) => createFirewall(n, {})),
  });
  const heartbeat = new Heartbeat({ writer, now, snapshot, retentionDays: () => reloader.currentSettings().retentionDays });
  const memoryRelease = new FloodMemoryRelease();
  let timers: NodeJS.Timeout[] = [];
  /** The config version whose firewall calls have finished: what the heartbeat reports as applied. */
  let kernelConfigVersion = 0;

  /**
   * A reload has queued its firewall calls; once the ones queued so far are
   * done the kernel has this config version: report it in a heartbeat right
   * then (the UI's "Config applied" waits for it), not at the next periodic beat.
   */
  function beatWhenApplied(): void {
    const version = reloader.stats().appliedConfigVersion;
    void queue.settle().then(() => {
      kernelConfigVersion = Math.max(kernelConfigVersion, version);
      heartbeat.beat();
    });
  }

  function followSettings(s: WorkerSettings): void {
    eventSyslog.setEnabled(s.syslog === true);
    listen.onSettings();
    backend.follow(s);
    followAttemptCap(matcher, options.maxAttempts, s, health, log);
  }

  function tick(): void {
    const t = now();
    if (memoryRelease.observe(matcher.stats().pending)) log.verbose("flood drained: memory returned to the system");
    listen.tick();
    if (reloader.refreshRotating(t)) listen.refresh();
    lists.expire(t, doors.list());
    expireLedger(grants, bans, t, log);
    heartbeat.maintain();
    eventLog.reportSuppressed(t);
    spaActions.reportSuppressed(t);
    replay.prune(t);
    backend.tick(t);
  }

  function snapshot(): StatusSnapshot {
    const err = health.current();
    return {
      pid: process.pid,
      startedAt,
      interfaces: capture.interfaces,
      backend: queue.backendName,
      appliedConfigVersion: kernelConfigVersion,
      lastError: err?.msg ?? null,
      lastErrorAt: err?.at ?? null,
      stats: { ...collectStats({ capture, decoder, matcher, decisions, grants, bans, queue, writer, commands, reloader, spa, forwards: () => lists.forwards().length }), syslogDropped: eventSyslog.dropped() },
    };
  }

  return {
    start() {
      writer.start();
      const remembered = replay.load(db);
      if (remembered > 0) log.verbose(`SPA replay cache: ${remembered} digests remembered`);
      backend.reconcile(reloader.initial());
      eventSyslog.setEnabled(reloader.currentSettings().syslog === true);
      commands.restore(db);
      heartbeat.maintain();
      listen.start();
      heartbeat.beat();
      beatWhenApplied();
      timers.push(
        setInterval(() => {
          if (reloader.poll()) beatWhenApplied();
        }, POLL_MS),
      );
      timers.push(setInterval(tick, TICK_MS));
      timers.push(setInterval(() => heartbeat.beat(), options.heartbeatMs));
    },
    reloadConfigFile() {
      log.setLogFile(options.logFile ?? knockdConf.current()?.config.options.logFile);
      if (options.configFile) reimportKnockdConf(options.configFile, knockdConf, db, now(), log);
      reloader.reload();
      beatWhenApplied();
    },
    async shutdown() {
      for (const t of timers) clearInterval(t);
      timers = [];
      capture.close();
      decisions.stop();
      await commands.close();
      await Promise.race([queue.settle(), new Promise((r) => setTimeout(r, 3000))]);
      try {
        await queue.detach();
      } catch (e) {
        log.error(`firewall detach: ${(e as Error).message}`);
      }
      heartbeat.beat();
      const flushed = await writer.close(3000);
      if (!flushed) log.error(`shutting down with ${writer.pending} database writes not flushed (database locked)`);
      log.log(SHUTTING_DOWN_LINE);
      await eventSyslog.close();
    },
  };
}
