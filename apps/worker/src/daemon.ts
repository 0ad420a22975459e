import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * knockd's `-d`. Under systemd it is unnecessary (run in the foreground,
 * Type=simple); for init scripts that expect a daemon we re-spawn ourselves
 * detached (new session, stdio to /dev/null) and the parent exits 0 once
 * everything it can check (flags, config file) is valid, like knockd's fork.
 */
export function detachSelf(): number {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, SESAME_WORKER_DETACHED: "1" },
  });
  child.unref();
  return child.pid ?? 0;
}

/** Writes our pid (knockd writes it in daemon mode; we also do when -p is given). */
export function writePidFile(path: string): void {
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
}

/** Removes the pidfile only if it is still ours (a newer instance may have replaced it). */
export function removePidFile(path: string): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(process.pid)) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}
