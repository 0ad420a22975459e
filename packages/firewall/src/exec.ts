import { spawn } from "node:child_process";
import { FirewallError } from "./types";

/** Outcome of one program run; `code` is null when it could not start or was killed. */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one argument vector (never through a shell), feeding `input` on stdin.
 * Receives the final argv, `ip netns exec NS` prefix included. Must not throw
 * on a non-zero exit: the backend turns that into a FirewallError.
 */
export type ExecFn = (argv: string[], input?: string) => Promise<ExecResult>;

/** Options shared by every backend for running programs. */
export interface ExecOptions {
  /** Run every program inside this network namespace (`ip netns exec NS …`); tests use it. */
  netns?: string;
  /** Replace the default runner (spawn). */
  exec?: ExecFn;
  /** Kill a program that runs longer than this (default 15 s). */
  timeoutMs?: number;
}

/** Checked runner: resolves stdout, throws FirewallError on any failure. */
export type RunFn = (argv: string[], input?: string) => Promise<string>;

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Spawn argv without a shell; collects output and never rejects. */
export function spawnCollect(argv: string[], input: string | undefined, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (code: number | null, extra = ""): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr + extra });
    };
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(null, `\nkilled after ${timeoutMs} ms`);
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => finish(null, err.message));
    child.on("close", (code) => finish(code));
    // A program that fails before reading stdin closes the pipe: EPIPE is not the error to report.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

/** The runner with the namespace prefix applied; never throws on a non-zero exit (for probes like `iptables -C`). */
export function createExec(opts: ExecOptions): ExecFn {
  if (opts.netns !== undefined && !NETNS_NAME.test(opts.netns)) {
    throw new RangeError(`invalid network namespace name: ${JSON.stringify(opts.netns)}`);
  }
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const exec: ExecFn = opts.exec ?? ((argv, input) => spawnCollect(argv, input, timeoutMs));
  const prefix = opts.netns === undefined ? [] : ["ip", "netns", "exec", opts.netns];
  return (argv, input) => exec([...prefix, ...argv], input);
}

/**
 * A FirewallError for a failed run, message built from the first lines of
 * stderr. `ipset restore` and `iptables-restore` only name a line number, so
 * the offending script line is quoted when there was one.
 */
export function toFirewallError(argv: string[], r: ExecResult, input?: string): FirewallError {
  const detail = r.stderr.trim().split("\n").slice(0, 3).join(" | ") || "no error output";
  const lineNo = /\bline:? (\d+)/i.exec(r.stderr);
  const quoted = input && lineNo ? input.split("\n")[Number(lineNo[1]) - 1] : undefined;
  const where = quoted && !r.stderr.includes(quoted) ? ` [input line ${lineNo![1]}: ${quoted}]` : "";
  const program = argv[0] === "ip" && argv[1] === "netns" && argv[2] === "exec" ? argv[4] : argv[0];
  return new FirewallError(`${program} failed (exit ${r.code ?? "none"}): ${detail}${where}`, argv, r.code, r.stderr);
}

/** Checked runner over `exec`: resolves stdout, throws FirewallError (full argv, exit code, stderr) on failure. */
export function checkedRunner(exec: ExecFn, netns?: string): RunFn {
  const prefix = netns === undefined ? [] : ["ip", "netns", "exec", netns];
  return async (argv, input) => {
    const r = await exec(argv, input);
    if (r.code !== 0) throw toFirewallError([...prefix, ...argv], r, input);
    return r.stdout;
  };
}

/** Build the checked runner a backend uses for every program it starts. */
export function createRunner(opts: ExecOptions): RunFn {
  return checkedRunner(createExec(opts), opts.netns);
}
