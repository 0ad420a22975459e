import type { FirewallBackend } from "@sesame/firewall";
import type { BackendName } from "./cli";
import type { Health } from "./health";

/**
 * What the other kernel backend (nftables <-> iptables) may have left in the
 * kernel: a switch whose cleanup failed, or a worker stopped or restarted
 * mid-switch. Its drop rules would otherwise refuse what the running backend
 * grants. On failure, retried (from tick) every RETRY_MS.
 */

export const RETRY_MS = 10_000;

export interface LeftoverRulesOptions {
  log: { log(msg: string): void; error(msg: string): void };
  health: Health;
  now: () => number;
  createBackend: (name: BackendName) => FirewallBackend;
}

export class LeftoverRules {
  private pending = false;
  private nextTry = 0;

  constructor(private readonly o: LeftoverRulesOptions) {}

  /** Removes the other kernel backend's rules (run inside the firewall queue). Not installed: nothing of ours can be there. */
  async remove(running: BackendName): Promise<void> {
    if (running === "command") return;
    const other: BackendName = running === "nftables" ? "iptables" : "nftables";
    try {
      await this.o.createBackend(other).destroy();
      if (this.pending) this.o.log.log(`firewall: leftover ${other} rules removed`);
      this.pending = false;
    } catch (e) {
      const msg = (e as Error).message;
      if (/ENOENT|not found/i.test(msg)) {
        this.pending = false;
        return;
      }
      if (!this.pending) {
        this.o.log.error(`firewall: removing leftover ${other} rules failed (retrying): ${msg}`);
        this.o.health.report(`firewall: removing leftover ${other} rules failed: ${msg}`);
      }
      this.pending = true;
      this.nextTry = this.o.now() + RETRY_MS;
    }
  }

  /** Some rules may have stayed behind; `retryAt` defers the next try. */
  markPending(retryAt?: number): void {
    this.pending = true;
    if (retryAt !== undefined) this.nextTry = retryAt;
  }

  /** A removal is due now (and the next one is pushed RETRY_MS out). */
  takeDue(now: number): boolean {
    if (!this.pending || now < this.nextTry) return false;
    this.nextTry = now + RETRY_MS;
    return true;
  }
}
