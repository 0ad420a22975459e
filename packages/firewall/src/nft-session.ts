import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { FirewallError } from "./types";

/**
 * A long-lived `nft -i` process for the hot path (grant, ban, revoke…).
 * Spawning nft for every knock costs 5–50 ms of fork/exec; a line written to
 * a running `nft -i` is applied in ~0.1–1 ms.
 *
 * Protocol: nft reads one line at a time and applies it as one transaction
 * (`;` separates commands inside it; an error aborts the whole line). It
 * prints nothing on success, and on error prints `Error: …`, the line, and a
 * caret line to stderr. After each request we send a second line that always
 * fails in a recognisable way — listing a table that cannot exist — so the
 * sentinel's error marks the end of the request's own output.
 */
export class NftSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private stderr = "";
  private seq = 0;
  private waiter: { sentinel: string; child: ChildProcessWithoutNullStreams; resolve: (err: string) => void } | undefined;

  constructor(
    private readonly argv: string[],
    private readonly timeoutMs = 5000,
  ) {}

  /**
   * Apply `script` (one command per line, no blocks) as a single transaction.
   * Rejects with FirewallError carrying nft's message when the kernel refused it.
   */
  async apply(script: string): Promise<void> {
    const lines = script.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length === 0) return;
    if (lines.some((l) => l.includes("{") && !l.includes("}"))) {
      throw new RangeError("nft session takes single-line commands only");
    }
    const line = lines.join("; ");
    const child = this.ensure();
    const sentinel = `list table inet sesame_sync_${process.pid}_${++this.seq}`;
    const errText = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.kill();
        reject(new FirewallError(`nft -i did not answer within ${this.timeoutMs} ms`, this.argv, null, this.stderr));
      }, this.timeoutMs);
      this.waiter = {
        sentinel,
        child,
        resolve: (err) => {
          clearTimeout(timer);
          resolve(err);
        },
      };
      child.stdin.write(`${line}\n${sentinel}\n`);
    });
    if (errText.trim() !== "") {
      const detail = errText.trim().split("\n").slice(0, 3).join(" | ");
      throw new FirewallError(`nft failed: ${detail}`, [...this.argv, line], 1, errText);
    }
  }

  /** Stop the process (the worker exits, or the session is wedged). */
  close(): void {
    this.kill();
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child && this.child.exitCode === null && !this.child.killed) return this.child;
    const child = spawn(this.argv[0]!, this.argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.stderr = "";
    child.stdout.resume(); // add/delete print nothing; drain anything else
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (this.child !== child) return;
      this.stderr += d;
      this.settle();
    });
    child.stdin.on("error", () => undefined);
    // Never keep the worker's event loop alive on its own; a pending request's timer does that.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as unknown as { unref?: () => void }[]) s.unref?.();
    const onGone = (why: string): void => {
      if (this.child === child) this.child = undefined;
      // A process killed earlier may report its end after a new one took over: only fail its own request.
      const w = this.waiter;
      if (w?.child !== child) return;
      this.waiter = undefined;
      w.resolve(`Error: nft -i ${why}\n${this.stderr}`);
    };
    child.on("error", (e) => onGone(`could not run: ${e.message}`));
    child.on("close", (code, sig) => onGone(`exited (${sig ?? code})`));
    this.child = child;
    return child;
  }

  /** Hand the request's error text to its waiter once the sentinel's error block has arrived. */
  private settle(): void {
    const w = this.waiter;
    if (!w) return;
    const at = this.stderr.indexOf(`\n${w.sentinel}\n`);
    if (at < 0) return;
    const caretEnd = this.stderr.indexOf("\n", at + w.sentinel.length + 2);
    if (caretEnd < 0) return; // caret line not complete yet
    const blockStart = this.stderr.lastIndexOf("Error:", at);
    const own = this.stderr.slice(0, Math.max(0, blockStart));
    this.stderr = this.stderr.slice(caretEnd + 1);
    this.waiter = undefined;
    w.resolve(own);
  }

  private kill(): void {
    const c = this.child;
    this.child = undefined;
    if (c && c.exitCode === null) c.kill("SIGKILL");
  }
}
