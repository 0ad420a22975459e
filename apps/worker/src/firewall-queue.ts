import type { WriteBehind, EventRow } from "./write-behind";
import type { Health } from "./health";

/**
 * Every firewall call the worker makes goes through here, one after another
 * (a retried grant must never land after a later revoke). A failure is never
 * swallowed: it is logged, recorded as an 'error' event and as the worker's
 * lastError, then retried once; the worker stays up either way.
 */
export class FirewallQueue {
  private chain: Promise<void> = Promise.resolve();
  errors = 0;

  constructor(
    private readonly o: {
      writer: WriteBehind;
      health: Health;
      log: { log(msg: string): void; error(msg: string): void };
      now: () => number;
      retryDelayMs?: number;
    },
  ) {}

  /** Queues `call`; `onDone` runs after it (or its retry) succeeded. Never rejects. */
  run(what: string, base: Omit<EventRow, "kind">, call: () => Promise<void>, onDone?: () => void): Promise<void> {
    const attempt = async (): Promise<void> => {
      try {
        await call();
        onDone?.();
        return;
      } catch (e) {
        this.failed(what, base, e, false);
      }
      await new Promise((r) => setTimeout(r, this.o.retryDelayMs ?? 250));
      try {
        await call();
        onDone?.();
        this.o.log.log(`firewall: ${what}: retry succeeded`);
      } catch (e) {
        this.failed(what, base, e, true);
      }
    };
    this.chain = this.chain.then(attempt);
    return this.chain;
  }

  private failed(what: string, base: Omit<EventRow, "kind">, e: unknown, final: boolean): void {
    this.errors++;
    const msg = `firewall: ${what} failed${final ? " again (giving up)" : " (retrying once)"}: ${(e as Error).message}`;
    this.o.log.error(msg);
    this.o.health.report(msg);
    this.o.writer.event({ ...base, ts: this.o.now(), kind: "error", detail: msg });
  }

  /** Resolves when every queued call has finished. */
  settle(): Promise<void> {
    return this.chain;
  }
}
