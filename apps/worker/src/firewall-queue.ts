import { LatencyHistogram } from "@sesame/core";
import type { FirewallBackend } from "@sesame/firewall";
import type { Health } from "./health";
import type { EventRow, WriteBehind } from "./write-behind";

/**
 * Every firewall call the worker makes goes through here, one after another
 * (a retried grant must never land after a later revoke), to the one backend
 * the queue holds. A failure is never swallowed: it is logged, recorded as an
 * 'error' event and as the worker's lastError, then retried once; the worker
 * stays up either way. Only a queued call may replace the backend
 * (useBackend), so no call ever lands on a backend being dropped.
 */

export type FirewallCall = (backend: FirewallBackend) => Promise<void>;

export interface FirewallQueueOptions {
  writer: WriteBehind;
  health: Health;
  log: { log(msg: string): void; error(msg: string): void };
  now: () => number;
  retryDelayMs?: number;
}

export class FirewallQueue {
  private chain: Promise<void> = Promise.resolve();
  private backend: FirewallBackend;
  private errors = 0;
  /** How long each backend call took (every attempt, failed ones too): /metrics' histogram. */
  private readonly latency = new LatencyHistogram();

  constructor(
    backend: FirewallBackend,
    private readonly o: FirewallQueueOptions,
  ) {
    this.backend = backend;
  }

  /** The backend calls go to now ("nftables", "iptables", "command"). */
  get backendName(): FirewallBackend["name"] {
    return this.backend.name;
  }

  /** Queues `call` (given the backend when it runs); `onDone` runs after it (or its retry) succeeded. Never rejects. */
  run(what: string, base: Omit<EventRow, "kind">, call: FirewallCall, onDone?: () => void): Promise<void> {
    const attempt = async (): Promise<void> => {
      try {
        await this.timed(call);
        onDone?.();
        return;
      } catch (e) {
        this.failed(what, base, e, false);
      }
      await new Promise((r) => setTimeout(r, this.o.retryDelayMs ?? 250));
      try {
        await this.timed(call);
        onDone?.();
        this.o.log.log(`firewall: ${what}: retry succeeded`);
      } catch (e) {
        this.failed(what, base, e, true);
      }
    };
    this.chain = this.chain.then(attempt);
    return this.chain;
  }

  private async timed(call: FirewallCall): Promise<void> {
    const t0 = performance.now();
    try {
      await call(this.backend);
    } finally {
      this.latency.observe(performance.now() - t0);
    }
  }

  /** From inside a queued call only (a backend switch): the calls after it go to `next`. */
  useBackend(next: FirewallBackend): void {
    this.backend = next;
  }

  private failed(what: string, base: Omit<EventRow, "kind">, e: unknown, final: boolean): void {
    this.errors++;
    const msg = `firewall: ${what} failed${final ? " again (giving up)" : " (retrying once)"}: ${(e as Error).message}`;
    this.o.log.error(msg);
    this.o.health.report(msg);
    this.o.writer.event({ ...base, ts: this.o.now(), kind: "error", detail: msg });
  }

  /** Failed firewall calls so far (each failed attempt counts) and the call latency histogram. */
  stats(): Record<string, number> & { firewallErrors: number } {
    return { firewallErrors: this.errors, ...this.latency.stats() };
  }

  /** Resolves when every queued call has finished. */
  settle(): Promise<void> {
    return this.chain;
  }

  /** Shutdown, after settle(): leave the kernel's rules in place and let go of the backend. */
  detach(): Promise<void> {
    return this.backend.detach();
  }
}
