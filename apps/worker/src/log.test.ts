import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Logger } from "./log";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function rig(opts: { verbose?: boolean; debug?: boolean; logFile?: boolean; useSyslog?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sesame-log-"));
  dirs.push(dir);
  const out: string[] = [];
  const err: string[] = [];
  const syslog: string[] = [];
  const file = join(dir, "knockd.log");
  const log = new Logger({
    verbose: opts.verbose ?? false,
    debug: opts.debug ?? false,
    logFile: opts.logFile ? file : undefined,
    useSyslog: opts.useSyslog ?? false,
    now: () => new Date(2026, 0, 2, 3, 4, 5),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    openSyslog: () => ({ write: (l) => void syslog.push(l), close: () => Promise.resolve(), dropped: () => 0 }),
  });
  return { log, out, err, syslog, file };
}

describe("Logger", () => {
  it.each([
    { name: "plain", opts: {}, out: ["10.0.0.5: ssh: Stage 1"] },
    { name: "-v", opts: { verbose: true }, out: ["10.0.0.5: ssh: Stage 1", "verbose detail"] },
    { name: "-D", opts: { debug: true }, out: ["10.0.0.5: ssh: Stage 1", "verbose detail", "debug detail"] },
  ])("stdout gating ($name)", ({ opts, out }) => {
    const r = rig(opts);
    r.log.log("10.0.0.5: ssh: Stage 1");
    r.log.verbose("verbose detail");
    r.log.debug("debug detail");
    expect(r.out).toEqual(out);
  });

  it("appends knockd's LogFile lines and feeds syslog; errors go to stderr and both", async () => {
    const r = rig({ logFile: true, useSyslog: true });
    r.log.log("starting up, listening on eth0");
    r.log.verbose("not persisted");
    r.log.error("firewall: grant failed");
    await r.log.close();
    expect(readFileSync(r.file, "utf8")).toBe("[2026-01-02 03:04] starting up, listening on eth0\n[2026-01-02 03:04] error: firewall: grant failed\n");
    expect(r.syslog).toEqual(["starting up, listening on eth0", "error: firewall: grant failed"]);
    expect(r.err).toEqual(["error: firewall: grant failed"]);
  });

  it("reports an unwritable log file once and keeps logging to stdout", async () => {
    const r = rig();
    r.log.setLogFile("/nonexistent-dir/knockd.log");
    r.log.log("a");
    r.log.log("b");
    await new Promise((res) => setTimeout(res, 50));
    expect(r.out).toEqual(["a", "b"]);
    expect(r.err.filter((l) => l.includes("/nonexistent-dir/knockd.log"))).toHaveLength(1);
    await r.log.close();
  });
});
