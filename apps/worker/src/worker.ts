import { buildPcapFilter, formatStartingUp, SHUTTING_DOWN_LINE } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import type { FirewallBackend, ReconcileReport } from "@sesame/firewall";
import type { BackendName } from "./cli";
import { formatPorts } from "./ports";
import { CaptureManager, type CaptureFilter } from "./capture";
import type { WorkerOptions } from "./cli";
import { CommandRunner } from "./commands";
import { loadSettings, type WorkerSettings } from "./db-read";
import { writeDoorOneTimeIndex } from "./db-write";
import { Engine } from "./engine";
import { createFirewall } from "./firewall";
import { WriteBehind } from "./write-behind";
import { Health } from "./health";
import { Heartbeat, collectStats, type StatusSnapshot } from "./heartbeat";
import { commandLookup, loadKnockdConf, markUsedInFile, type LoadedKnockdConf } from "./knockd-conf-file";
import { importKnockdDoors } from "./knockd-doors-to-db";
import type { Logger } from "./log";
import { findDefaultRouteInterfaces, listLocalAddresses } from "./net-info";
import { FloodMemoryRelease } from "./memory-release";
import { Reloader } from "./reload";

/**
 * The running worker: capture → engine → firewall, with the database kept in
 * step both ways (reload for what the UI writes, write-behind for what
 * happens). Everything here is long-lived and never exits on its own; only
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
}

const POLL_MS = 250;
const TICK_MS = 1000;
const RECONCILE_RETRY_MS = 10_000;
const MAX_SWITCH_BACKOFF_MS = 600_000;

export class Worker {
  readonly health: Health;
  readonly writer: WriteBehind;
  readonly engine: Engine;
  readonly capture: CaptureManager;
  readonly reloader: Reloader;
  readonly commands: CommandRunner;
  private readonly heartbeat: Heartbeat;
  private readonly d: WorkerDeps;
  private readonly now: () => number;
  private readonly startedAt: number;
  private knockd: LoadedKnockdConf | null;
  private addresses: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  private filter = "";
  private reconciled = false;
  private lastReconcileTry = 0;
  private noInterfaceLogged = false;
  /** The backend a switch is queued or running for (one at a time). */
  private switchingTo: BackendName | undefined;
  /** After a failed switch to `failedSwitchTo`: no new try before this time (backing off). */
  private nextSwitchTry = 0;
  private failedSwitchTo: BackendName | undefined;
  private switchFailures = 0;
  /** The other kernel backend's rules may still be in the kernel (a removal failed): retried on tick. */
  private leftoverPending = false;
  private nextLeftoverTry = 0;

  constructor(deps: WorkerDeps) {
    this.d = deps;
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    this.knockd = deps.knockd;
    const { log, db } = deps;
    this.health = new Health(this.now);
    this.writer = new WriteBehind({
      db,
      onError: (m) => {
        log.error(m);
        this.health.report(m);
      },
    });
    this.commands = new CommandRunner({
      log,
      writer: this.writer,
      now: this.now,
      stdio: process.env.SESAME_WORKER_DETACHED ? "ignore" : "inherit",
      stopCommandFor: (section, family) => {
        const a = commandLookup(this.knockd)(section);
        if (!a) return undefined;
        const stop = family === 6 ? (a.stop6 ?? a.stop) : a.stop;
        return stop === undefined || stop === "" ? undefined : stop;
      },
    });
    this.engine = new Engine({
      firewall: deps.firewall,
      writer: this.writer,
      log,
      health: this.health,
      commands: this.commands,
      now: this.now,
      isTrusted: (ip) => this.reloader.isTrusted(ip),
      // --max-attempts, else the UI's setting (followed live: onSettings), else the default.
      maxAttempts: deps.options.maxAttempts ?? loadSettings(db).maxAttempts,
      ipv4Only: deps.options.ipv4Only,
      onOneTimeUsed: (info, index, exhausted) => {
        const next = index + 1;
        this.writer.op({ describe: `one-time index of ${info.door.name}`, run: (w) => writeDoorOneTimeIndex(w, info.rowId, next) });
        if (info.source === "knockd-conf" && this.knockd) markUsedInFile(this.knockd, info.door.name, index, log);
        log.log(`${info.door.name}: one-time sequence used${exhausted ? "; no sequence left, the door is inactive" : "; next sequence active"}`);
        this.refreshFilter();
      },
    });
    this.reloader = new Reloader({
      db,
      engine: this.engine,
      writer: this.writer,
      log,
      now: this.now,
      commandFor: () => commandLookup(this.knockd),
      onChange: (s) => this.onSettings(s),
    });
    this.capture = new CaptureManager({
      log,
      now: this.now,
      onPackets: (packets, _iface, tsUs) => this.engine.handlePackets(packets, tsUs),
      onStateChange: (iface, state, detail) => {
        if (state === "listening") this.health.clear(`iface:${iface}`);
        else this.health.set(`iface:${iface}`, detail);
      },
    });
    this.heartbeat = new Heartbeat({
      writer: this.writer,
      now: this.now,
      snapshot: () => this.snapshot(),
      retentionDays: () => this.reloader.settings.retentionDays,
    });
  }

  /** Restores the kernel from the database, starts capture and the periodic work. */
  start(): void {
    const { log, options } = this.d;
    this.writer.start();
    const state = this.reloader.initial();
    this.reconcile(state);
    this.commands.restore(this.d.db);
    this.heartbeat.maintain();
    this.addresses = listLocalAddresses(options.ipv4Only);
    this.engine.setLocalAddresses(this.addresses);
    const ifaces = this.resolveInterfaces();
    log.log(formatStartingUp(ifaces.length > 0 ? ifaces : ["(no interface yet)"]));
    // Filter first, so the first session opens with it (no swap right after start).
    this.refreshFilter();
    this.capture.setInterfaces(ifaces);
    this.heartbeat.beat();
    this.timers.push(setInterval(() => this.poll(), POLL_MS));
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => this.heartbeat.beat(), options.heartbeatMs));
  }

  private reconcile(state: ReturnType<Reloader["initial"]>): void {
    this.lastReconcileTry = this.now();
    const n = this.now();
    void this.engine.fw(`reconcile (${state.grants.length} grants, ${state.bans.length} bans, ${state.trusted.length} trusted, ${state.protectedPorts.length} protected ports)`, { ts: n }, async () => {
      // A backend switch queued in between has set the firewall up already, from a fresher ledger.
      if (this.reconciled) return;
      const report = await this.engine.firewall.reconcile(state, this.now());
      this.reconciled = true;
      this.reportRefused(this.engine.firewall.name, report);
      this.d.log.log(
        `firewall: ${this.engine.firewall.name} ready: ${state.grants.length} grants and ${state.bans.length} bans restored, protected ${formatPorts(state.protectedPorts) || "nothing"}`,
      );
      await this.removeLeftoverBackend();
    });
  }

  /** Entries a reconcile left out (the rest, protected ports first, is in place): each one logged and recorded. */
  private reportRefused(backend: BackendName, report: ReconcileReport): void {
    for (const r of report.refused) {
      const msg = `firewall: ${backend}: left out ${r}`;
      this.d.log.error(msg);
      this.health.report(msg);
      this.writer.event({ ts: this.now(), kind: "worker", detail: msg });
    }
  }

  /**
   * Removes what the other kernel backend (nftables <-> iptables) may have
   * left in the kernel: a switch whose cleanup failed, or a worker stopped or
   * restarted mid-switch. Its drop rules would otherwise refuse what the
   * running backend grants. Not installed: nothing of ours can be there.
   * On failure, retried on tick with back-off. Runs inside the firewall queue.
   */
  private async removeLeftoverBackend(): Promise<void> {
    const running = this.engine.firewall.name;
    if (running === "command") return;
    const other: BackendName = running === "nftables" ? "iptables" : "nftables";
    try {
      await this.newBackend(other).destroy();
      if (this.leftoverPending) this.d.log.log(`firewall: leftover ${other} rules removed`);
      this.leftoverPending = false;
    } catch (e) {
      const msg = (e as Error).message;
      if (/ENOENT|not found/i.test(msg)) {
        this.leftoverPending = false;
        return;
      }
      if (!this.leftoverPending) {
        this.d.log.error(`firewall: removing leftover ${other} rules failed (retrying): ${msg}`);
        this.health.report(`firewall: removing leftover ${other} rules failed: ${msg}`);
      }
      this.leftoverPending = true;
      this.nextLeftoverTry = this.now() + RECONCILE_RETRY_MS;
    }
  }

  private newBackend(name: BackendName): FirewallBackend {
    return (this.d.createBackend ?? ((n: BackendName) => createFirewall(n, {})))(name);
  }

  private poll(): void {
    if (this.reloader.poll()) this.heartbeat.beat();
  }

  private readonly memoryRelease = new FloodMemoryRelease();

  private tick(): void {
    const now = this.now();
    if (this.memoryRelease.observe(this.engine.matcher.stats().pending)) this.d.log.verbose("flood drained: memory returned to the system");
    const { options } = this.d;
    const addrs = listLocalAddresses(options.ipv4Only);
    if (addrs.join() !== this.addresses.join()) {
      this.addresses = addrs;
      this.engine.setLocalAddresses(addrs);
      this.d.log.verbose(`local addresses: ${addrs.join(", ")}`);
      this.refreshFilter();
    }
    const ifaces = this.resolveInterfaces();
    if (ifaces.join() !== this.capture.interfaces.join()) this.capture.setInterfaces(ifaces);
    else this.capture.tick();
    this.reloader.expireTrusted(now);
    this.engine.expireBooks(now);
    this.heartbeat.maintain();
    const suppressed = this.engine.limiter.takeSuppressed();
    const quietTimeouts = this.engine.timeoutLineLimiter.takeSuppressed();
    if (quietTimeouts > 0) {
      const msg = `suppressed ${quietTimeouts} stage-1 timeouts in the last second (knock flood?)`;
      this.d.log.log(msg);
      this.writer.event({ ts: now, kind: "worker", detail: msg });
    }
    if (suppressed > 0) {
      const msg = `suppressed ${suppressed} stage-1 lines in the last second (knock flood?)`;
      this.d.log.log(msg);
      this.writer.event({ ts: now, kind: "worker", detail: msg });
    }
    if (this.switchingTo === undefined) this.followBackendSetting(this.reloader.settings);
    if (!this.reconciled && now - this.lastReconcileTry >= RECONCILE_RETRY_MS) {
      this.d.log.log("firewall: retrying the full reconcile");
      // From the ledger (grants and bans made since start included), not the database written behind.
      this.reconcile(this.reloader.current());
    }
    if (this.leftoverPending && this.reconciled && now >= this.nextLeftoverTry) {
      this.nextLeftoverTry = now + RECONCILE_RETRY_MS;
      void this.engine.fw("remove leftover backend rules", { ts: now }, () => this.removeLeftoverBackend());
    }
  }

  private onSettings(s: WorkerSettings): void {
    this.refreshFilter();
    const ifaces = this.resolveInterfaces();
    if (ifaces.join() !== this.capture.interfaces.join()) this.capture.setInterfaces(ifaces);
    this.followBackendSetting(s);
    const pinned = this.d.options.maxAttempts;
    if (pinned !== undefined && s.maxAttempts !== undefined && s.maxAttempts !== pinned) {
      this.health.set("maxAttempts", `maxAttempts ${s.maxAttempts} set in the UI; this worker runs with --max-attempts ${pinned}`);
    } else this.health.clear("maxAttempts");
    this.applyMaxAttempts(pinned ?? s.maxAttempts);
  }

  /** The UI's `backend` setting, unless --backend pins it: switch when it differs from the running one. */
  private followBackendSetting(s: WorkerSettings): void {
    const pinned = this.d.options.backend;
    const running = this.engine.firewall.name;
    if (pinned !== undefined) {
      if (s.backend !== undefined && s.backend !== pinned) this.health.set("backend", `backend ${s.backend} selected in the UI; this worker runs with --backend ${pinned}`);
      else this.health.clear("backend");
      return;
    }
    const wanted = s.backend ?? "nftables";
    if (this.switchingTo !== undefined) return; // re-checked when that switch ends
    if (wanted === running) {
      this.health.clear("backend");
      this.failedSwitchTo = undefined;
      this.switchFailures = 0;
    } else if (wanted !== this.failedSwitchTo || this.now() >= this.nextSwitchTry) {
      this.switchBackend(wanted);
    }
  }

  /**
   * Moves the firewall to another backend while running: the new one is set
   * up with everything the worker holds (protected ports, trusted networks,
   * grants and bans with their remaining time: from its ledger, since the
   * database is written behind), takes over, and only then are the old
   * one's rules removed, so protected ports are never left open and
   * established sessions pass throughout. The setup is queued with the other
   * firewall calls (no grant lands on a backend being dropped); the old
   * rules are removed outside the queue, since nothing uses them any more,
   * and again after any later reconcile if that failed. A failed switch
   * keeps the old backend and is retried with back-off (10 s doubling to
   * 10 min) unless the setting changes.
   */
  private switchBackend(name: BackendName): void {
    this.switchingTo = name;
    const from = this.engine.firewall.name;
    this.health.set("backend", `switching the firewall from ${from} to ${name}`);
    let failed = false;
    void this.engine
      .fw(`switch backend ${from} -> ${name}`, { ts: this.now() }, async () => {
        const old = this.engine.firewall;
        // The setting may have changed back while this waited in the queue.
        if (old.name === name || (this.reloader.settings.backend ?? "nftables") !== name) return;
        const next = this.newBackend(name);
        const state = this.reloader.current();
        try {
          this.reportRefused(name, await next.reconcile(state, this.now()));
        } catch (e) {
          failed = true;
          await next.destroy().catch((d: unknown) => {
            this.d.log.error(`firewall: removing the half-built ${name} rules failed: ${(d as Error).message}`);
            this.leftoverPending = true;
          });
          throw e;
        }
        failed = false;
        this.engine.firewall = next;
        this.reconciled = true;
        this.d.log.log(`firewall: switched from ${old.name} to ${name}: ${state.grants.length} grants, ${state.bans.length} bans, protected ${formatPorts(state.protectedPorts) || "nothing"}`);
        void old.destroy().catch((e: unknown) => {
          const msg = `firewall: switched to ${name}, but removing the ${old.name} rules failed (retrying): ${(e as Error).message}`;
          this.d.log.error(msg);
          this.health.report(msg);
          this.leftoverPending = true;
          this.nextLeftoverTry = this.now() + RECONCILE_RETRY_MS;
        });
      })
      .finally(() => {
        this.switchingTo = undefined;
        if (failed) {
          this.switchFailures = this.failedSwitchTo === name ? this.switchFailures + 1 : 1;
          this.failedSwitchTo = name;
          const waitMs = Math.min(MAX_SWITCH_BACKOFF_MS, RECONCILE_RETRY_MS * 2 ** (this.switchFailures - 1));
          this.nextSwitchTry = this.now() + waitMs;
          this.health.set("backend", `switching the firewall from ${from} to ${name} failed; retrying in ${Math.round(waitMs / 1000)} s`);
        } else {
          this.failedSwitchTo = undefined;
          this.switchFailures = 0;
          // Follow the setting as it is now (it may have changed while this ran).
          this.followBackendSetting(this.reloader.settings);
        }
      });
  }

  /** Applies a new cap on pending attempts at once (a lower one evicts what is over it, oldest stage-1 first). */
  private applyMaxAttempts(cap: number | undefined): void {
    const matcher = this.engine.matcher;
    const before = matcher.attemptCap;
    const evicted = matcher.setMaxAttempts(cap);
    if (matcher.attemptCap === before) return;
    // Evictions only remove attempts: the armed expiry timer can at worst fire early, for nothing.
    this.d.log.log(`max pending attempts: ${before} -> ${matcher.attemptCap}${evicted > 0 ? `; ${evicted} evicted` : ""}`);
  }

  /** -i, else the UI's settings, else knockd.conf's Interface, else the default-route interface(s). */
  resolveInterfaces(): string[] {
    const { options } = this.d;
    if (options.interfaces.length > 0) return options.interfaces;
    if (this.reloader.settings.interfaces.length > 0) return this.reloader.settings.interfaces;
    const conf = this.knockd?.config.options.interface;
    if (conf) return [conf];
    const found = findDefaultRouteInterfaces(options.ipv4Only);
    if (found.length === 0) {
      if (!this.noInterfaceLogged) this.d.log.error("no default route to find the interface from; pass -i or set interfaces in the UI");
      this.noInterfaceLogged = true;
      this.health.set("iface:default", "no interface: no default route, no -i, no interfaces setting");
    } else {
      this.noInterfaceLogged = false;
      this.health.clear("iface:default");
    }
    return found;
  }

  refreshFilter(): void {
    let filter: CaptureFilter;
    try {
      const doors = this.engine.doorList();
      filter = {
        vlan: buildPcapFilter(doors, { localAddresses: this.addresses }),
        plain: buildPcapFilter(doors, { localAddresses: this.addresses, vlan: false }),
      };
    } catch (e) {
      this.d.log.error(`capture filter: ${(e as Error).message}; keeping the previous one`);
      return;
    }
    if (filter.vlan === this.filter) return;
    this.filter = filter.vlan;
    this.d.log.debug(`pcap filter: ${filter.vlan}`);
    this.capture.setFilter(filter);
  }

  /** SIGHUP: re-read the knockd.conf (if any), reopen the log file, reload from the database. */
  reloadConfigFile(): void {
    const { options, log, db } = this.d;
    log.setLogFile(options.logFile ?? this.knockd?.config.options.logFile);
    if (options.configFile) {
      const r = loadKnockdConf(options.configFile, log);
      if (!r.ok) {
        for (const m of r.messages) log.error(m);
        log.error(`keeping the previous configuration from ${options.configFile}`);
      } else {
        this.knockd = r.loaded;
        log.setSyslog(r.loaded.config.options.useSyslog);
        // A rare admin action: worth waiting (bounded) for a busy database rather than failing.
        const busy = db.$client.pragma("busy_timeout", { simple: true }) as number;
        db.$client.pragma("busy_timeout = 2000");
        try {
          const res = importKnockdDoors(db, r.loaded, this.now(), log);
          log.log(`config: ${options.configFile}: ${res.inserted} new, ${res.updated} updated, ${res.removed} removed doors`);
        } catch (e) {
          log.error(`config: import into the database failed: ${(e as Error).message}`);
        } finally {
          db.$client.pragma(`busy_timeout = ${busy}`);
        }
      }
    }
    this.reloader.reload();
    this.heartbeat.beat();
  }

  private snapshot(): StatusSnapshot {
    const err = this.health.current();
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      interfaces: this.capture.interfaces,
      backend: this.engine.firewall.name,
      appliedConfigVersion: this.reloader.appliedConfigVersion,
      lastError: err?.msg ?? null,
      lastErrorAt: err?.at ?? null,
      stats: collectStats(this),
    };
  }

  /** SIGTERM/SIGINT: stop capturing, let running commands and firewall calls finish, flush, detach. */
  async shutdown(): Promise<void> {
    const { log } = this.d;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.capture.close();
    this.engine.stop();
    await this.commands.close();
    await Promise.race([this.engine.settle(), new Promise((r) => setTimeout(r, 3000))]);
    try {
      await this.engine.firewall.detach();
    } catch (e) {
      log.error(`firewall detach: ${(e as Error).message}`);
    }
    this.heartbeat.beat();
    const flushed = await this.writer.close(3000);
    if (!flushed) log.error(`shutting down with ${this.writer.pending} database writes not flushed (database locked)`);
    log.log(SHUTTING_DOWN_LINE);
  }
}
