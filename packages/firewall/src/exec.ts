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

/** Build the checked runner a backend uses for every program it starts. */
export function createRunner(opts: ExecOptions): RunFn {
  if (opts.netns !== undefined && !NETNS_NAME.test(opts.netns)) {
    throw new RangeError(`invalid network namespace name: ${JSON.stringify(opts.netns)}`);
  }
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const exec: ExecFn = opts.exec ?? ((argv, input) => spawnCollect(argv, input, timeoutMs));
  const prefix = opts.netns === undefined ? [] : ["ip", "netns", "exec", opts.netns];
  return async (argv, input) => {
    const full = [...prefix, ...argv];
    const r = await exec(full, input);
    if (r.code !== 0) {
      const detail = r.stderr.trim().split("\n").slice(0, 3).join(" | ") || "no error output";
      throw new FirewallError(`${argv[0]} failed (exit ${r.code ?? "none"}): ${detail}`, full, r.code, r.stderr);
    }
    return r.stdout;
  };
}
