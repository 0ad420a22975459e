import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doors, eq } from "@sesame/db";
import { run, waitFor } from "@sesame/testkit";
import { WORKER_BIN, escapeIp, useWorkerRig, type WorkerHandle } from "./worker-harness";

// The worker as a knockd drop-in: -c knockd.conf with shell commands,
// One_Time_Sequences, SIGHUP, stop commands that outlive a restart, -d/-p,
// and knockd's exit on a broken config.

const conf = (dir: string, extra = ""): string => `[options]
	LogFile = ${dir}/knockd.log

[cmd]
	sequence = 9201,9202
	seq_timeout = 5
	start_command = echo "start %IP%" >> ${dir}/out.txt
	cmd_timeout = 3
	stop_command = echo "stop %IP%" >> ${dir}/out.txt

[otp]
	one_time_sequences = ${dir}/otp.txt
	seq_timeout = 5
	start_command = echo "otp %IP%" >> ${dir}/out.txt
${extra}`;

describe("worker: knockd.conf drop-in", () => {
  let dir: string;
  const out = (): string => (existsSync(join(dir, "out.txt")) ? readFileSync(join(dir, "out.txt"), "utf8") : "");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sesame-kconf-"));
    writeFileSync(join(dir, "otp.txt"), " 9301,9302\n 9401,9402:udp\n");
    writeFileSync(join(dir, "knockd.conf"), conf(dir), { mode: 0o600 });
  });

  // Registered before the rig's hooks, so it runs after them (vitest runs after-hooks in reverse):
  // the worker's stop commands write into `dir`.
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rig = useWorkerRig({ tag: "wk", start: false });

  it("exits 1 with knockd's `config: line N:` message on a broken file", async () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "[x]\n\tsequence = 7000,70000\n", { mode: 0o600 });
    const r = await run(["node", WORKER_BIN, "--db", rig.db.path, "-c", bad, "-i", "veth-s"], { ns: rig.net.server });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^config: line 2: .*70000/m);
  });

  it("runs start and stop commands from the file; the stop command survives a restart", async () => {
    let worker = await rig.start(["-c", join(dir, "knockd.conf"), "-i", "veth-s"]);
    await rig.knock("9201,9202");
    await worker.waitForLine(/^cmd: running command: echo "start /, 3000);
    expect(await waitFor(() => out() === `start ${rig.net.clientIp}\n`, 2000, 50)).toBe(true);
    const openedAt = Date.now();
    // Restart before Cmd_Timeout: the new process must still run the stop command when due.
    await worker.stop();
    worker = await rig.start(["-c", join(dir, "knockd.conf"), "-i", "veth-s"]);
    await worker.waitForLine(new RegExp(`^${escapeIp(rig.net.clientIp)}: cmd: command timeout$`), 6000);
    expect(await waitFor(() => out() === `start ${rig.net.clientIp}\nstop ${rig.net.clientIp}\n`, 2000, 50)).toBe(true);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(2900);
    const log = readFileSync(join(dir, "knockd.log"), "utf8");
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d\] cmd: running command: echo "stop /m);
  });

  it("uses each one-time sequence once and comments it out of the file", async () => {
    const w = rig.worker as WorkerHandle;
    await rig.knock("9301,9302");
    await w.waitForLine(/otp: one-time sequence used; next sequence active/, 3000);
    expect(readFileSync(join(dir, "otp.txt"), "utf8")).toBe("#9301,9302\n 9401,9402:udp\n");
    // The start command runs asynchronously after the log line: wait for its output before sampling.
    expect(await waitFor(() => out().includes(`otp ${rig.net.clientIp}`), 3000, 50)).toBe(true);
    // Replaying the used sequence does nothing.
    const before = out();
    await rig.knock("9301,9302");
    await new Promise((r) => setTimeout(r, 500));
    expect(out()).toBe(before);
    await rig.knock("9401,9402:udp");
    await w.waitForLine(/otp: one-time sequence used; no sequence left/, 3000);
    expect(readFileSync(join(dir, "otp.txt"), "utf8")).toBe("#9301,9302\n#9401,9402:udp\n");
    expect(out().split("\n").filter((l) => l.startsWith("otp"))).toEqual([`otp ${rig.net.clientIp}`, `otp ${rig.net.clientIp}`]);
    expect(await waitFor(() => rig.db.db.select().from(doors).where(eq(doors.name, "otp")).get()?.oneTimeIndex === 2, 2000, 50)).toBe(true);
    expect(w.child.exitCode).toBeNull();
  });

  it("SIGHUP re-reads the file: a new section imports and opens", async () => {
    const w = rig.worker as WorkerHandle;
    writeFileSync(join(dir, "knockd.conf"), conf(dir, `\n[late]\n\tsequence = 9501,9502\n\tstart_command = echo "late %IP%" >> ${dir}/out.txt\n`), { mode: 0o600 });
    const from = w.lines.length;
    w.child.kill("SIGHUP");
    await w.waitForLine(/config: .*knockd\.conf: 1 new, \d+ updated, 0 removed doors/, 3000, from);
    await rig.knock("9501,9502");
    expect(await waitFor(() => out().includes(`late ${rig.net.clientIp}`), 3000, 50)).toBe(true);
    expect(rig.db.db.select().from(doors).where(eq(doors.name, "late")).get()?.source).toBe("knockd-conf");
  });

  it("-d detaches like knockd and writes the pidfile; SIGTERM removes it", async () => {
    if (rig.worker) await rig.worker.stop();
    rig.worker = undefined;
    const pidFile = join(dir, "worker.pid");
    const logFile = join(dir, "daemon.log");
    const r = await run(["node", WORKER_BIN, "--db", rig.db.path, "-d", "-p", pidFile, "-g", logFile, "-i", "veth-s"], { ns: rig.net.server, timeoutMs: 10_000 });
    expect(r.code).toBe(0);
    expect(await waitFor(() => existsSync(pidFile), 8000, 100)).toBe(true);
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    expect(pid).toBeGreaterThan(1);
    try {
      expect(await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes("starting up, listening on veth-s"), 8000, 100)).toBe(true);
      process.kill(pid, 0);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    expect(await waitFor(() => !existsSync(pidFile), 8000, 100)).toBe(true);
    expect(readFileSync(logFile, "utf8")).toMatch(/shutting down/);
  });
});
