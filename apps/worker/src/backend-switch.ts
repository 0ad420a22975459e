import { SETTING_DEFAULTS, type FirewallState } from "@sesame/core";
import type { FirewallBackend, ReconcileReport } from "@sesame/firewall";
import type { BackendName } from "./cli";
import type { WorkerSettings } from "./db-read";
import type { FirewallQueue } from "./firewall-queue";
import type { Health } from "./health";
import { LeftoverRules, RETRY_MS } from "./leftover-rules";
import { formatPorts } from "./ports";
import type { WriteBehind } from "./write-behind";

/**
 * Which backend the firewall queue drives, and that it is set up: the full
 * reconcile at start (retried until it works), the UI's `backend` setting
 * followed while running (unless --backend pins it), with back-off after a
 * failed switch, and the other kernel backend's leftover rules removed.
 */

const MAX_SWITCH_BACKOFF_MS = 600_000;

export interface BackendSwitchOptions {
  queue: FirewallQueue;
  /** What the firewall should hold now, from the worker's ledger (the database is written behind). */
  state: { firewallState(): FirewallState };
  settings: { currentSettings(): WorkerSettings };
  /** --backend, when given. */
  pinned: BackendName | undefined;
  createBackend: (name: BackendName) => FirewallBackend;
  writer: WriteBehind;
  health: Health;
  log: { log(msg: string): void; error(msg: string): void };
  now: () => number;
}

export class BackendSwitch {
  private readonly leftover: LeftoverRules;
  private reconciled = false;
  private lastReconcileTry = 0;
  /** The backend a switch is queued or running for (one at a time). */
  private switchingTo: BackendName | undefined;
  /** After a failed switch to `failedSwitchTo`: no new try before this time (backing off). */
  private nextSwitchTry = 0;
  private failedSwitchTo: BackendName | undefined;
  private switchFailures = 0;

  constructor(private readonly o: BackendSwitchOptions) {
    this.leftover = new LeftoverRules(o);
  }

  /** Sets the running backend up with `state` (start-up; on failure retried from tick). */
  reconcile(state: FirewallState): void {
    const { queue, log } = this.o;
    this.lastReconcileTry = this.o.now();
    const what = `reconcile (${state.grants.length} grants, ${state.bans.length} bans, ${state.trusted.length} trusted, ${state.protectedPorts.length} protected ports, ${state.forwards?.length ?? 0} forwards)`;
    void queue.run(what, { ts: this.lastReconcileTry }, async (fw) => {
      // A backend switch queued in between has set the firewall up already, from a fresher ledger.
      if (this.reconciled) return;
      const report = await fw.reconcile(state, this.o.now());
      this.reconciled = true;
      this.reportRefused(fw.name, report);
      const forwards = state.forwards?.length ?? 0;
      log.log(`firewall: ${fw.name} ready: ${state.grants.length} grants and ${state.bans.length} bans restored, protected ${formatPorts(state.protectedPorts) || "nothing"}${forwards > 0 ? `, ${forwards} forwarded services gated` : ""}`);
      await this.leftover.remove(fw.name);
    });
  }

  /** Every second: follow the setting, retry a failed reconcile or leftover removal. */
  tick(now: number): void {
    if (this.switchingTo === undefined) this.follow(this.o.settings.currentSettings());
    if (!this.reconciled && now - this.lastReconcileTry >= RETRY_MS) {
      this.o.log.log("firewall: retrying the full reconcile");
      this.reconcile(this.o.state.firewallState());
    }
    if (this.reconciled && this.leftover.takeDue(now)) {
      void this.o.queue.run("remove leftover backend rules", { ts: now }, (fw) => this.leftover.remove(fw.name));
    }
  }

  /** The UI's `backend` setting, unless --backend pins it: switch when it differs from the running one. */
  follow(s: WorkerSettings): void {
    const { pinned, health } = this.o;
    if (pinned !== undefined) {
      if (s.backend !== undefined && s.backend !== pinned) health.set("backend", `backend ${s.backend} selected in the UI; this worker runs with --backend ${pinned}`);
      else health.clear("backend");
      return;
    }
    const wanted = s.backend ?? SETTING_DEFAULTS.backend;
    if (this.switchingTo !== undefined) return; // re-checked when that switch ends
    if (wanted === this.o.queue.backendName) {
      health.clear("backend");
      this.failedSwitchTo = undefined;
      this.switchFailures = 0;
    } else if (wanted !== this.failedSwitchTo || this.o.now() >= this.nextSwitchTry) {
      this.switchTo(wanted);
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
  private switchTo(name: BackendName): void {
    const { queue, health, log } = this.o;
    this.switchingTo = name;
    const from = queue.backendName;
    health.set("backend", `switching the firewall from ${from} to ${name}`);
    let failed = false;
    void queue
      .run(`switch backend ${from} -> ${name}`, { ts: this.o.now() }, async (old) => {
        // The setting may have changed back while this waited in the queue.
        if (old.name === name || (this.o.settings.currentSettings().backend ?? SETTING_DEFAULTS.backend) !== name) return;
        const next = this.o.createBackend(name);
        const state = this.o.state.firewallState();
        try {
          this.reportRefused(name, await next.reconcile(state, this.o.now()));
        } catch (e) {
          failed = true;
          await next.destroy().catch((d: unknown) => {
            log.error(`firewall: removing the half-built ${name} rules failed: ${(d as Error).message}`);
            this.leftover.markPending();
          });
          throw e;
        }
        failed = false;
        queue.useBackend(next);
        this.reconciled = true;
        log.log(`firewall: switched from ${old.name} to ${name}: ${state.grants.length} grants, ${state.bans.length} bans, protected ${formatPorts(state.protectedPorts) || "nothing"}`);
        void old.destroy().catch((e: unknown) => {
          const msg = `firewall: switched to ${name}, but removing the ${old.name} rules failed (retrying): ${(e as Error).message}`;
          log.error(msg);
          health.report(msg);
          this.leftover.markPending(this.o.now() + RETRY_MS);
        });
      })
      .finally(() => this.switchEnded(from, name, failed));
  }

  private switchEnded(from: BackendName, name: BackendName, failed: boolean): void {
    this.switchingTo = undefined;
    if (failed) {
      this.switchFailures = this.failedSwitchTo === name ? this.switchFailures + 1 : 1;
      this.failedSwitchTo = name;
      const waitMs = Math.min(MAX_SWITCH_BACKOFF_MS, RETRY_MS * 2 ** (this.switchFailures - 1));
      this.nextSwitchTry = this.o.now() + waitMs;
      this.o.health.set("backend", `switching the firewall from ${from} to ${name} failed; retrying in ${Math.round(waitMs / 1000)} s`);
    } else {
      this.failedSwitchTo = undefined;
      this.switchFailures = 0;
      // Follow the setting as it is now (it may have changed while this ran).
      this.follow(this.o.settings.currentSettings());
    }
  }

  /** Entries a reconcile left out (the rest, protected ports first, is in place): each one logged and recorded. */
  private reportRefused(backend: BackendName, report: ReconcileReport): void {
    for (const r of report.refused) {
      const msg = `firewall: ${backend}: left out ${r}`;
      this.o.log.error(msg);
      this.o.health.report(msg);
      this.o.writer.event({ ts: this.o.now(), kind: "worker", detail: msg });
    }
  }
}
