import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, type SesameDb } from "@sesame/db";
import { CommandRunner, PENDING_COMMANDS_KEY } from "./commands";
import { readSetting } from "./db-read";
import { writeSetting } from "./db-write";
import { WriteBehind } from "./write-behind";
import { memoryLog } from "./test-support";

// Real /bin/sh runs; the commands append to a file in a temp dir.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(stopFor: (section: string, family: 4 | 6) => string | undefined = () => undefined) {
  const dir = mkdtempSync(join(tmpdir(), "sesame-cmd-"));
  dirs.push(dir);
  const out = join(dir, "out.txt");
  const db: SesameDb = openDb(":memory:", { migrate: true });
  const writer = new WriteBehind({ db });
  const log = memoryLog();
  const runner = new CommandRunner({ log, writer, now: Date.now, stopCommandFor: stopFor, stdio: "ignore" });
  const read = (): string => {
    try {
      return readFileSync(out, "utf8");
    } catch {
      return "";
    }
  };
  return { dir, out, db, writer, log, runner, read };
}

const until = async (check: () => boolean, ms = 3000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
};

describe("CommandRunner", () => {
  it("runs the start command through /bin/sh -c and the stop command Cmd_Timeout later, logging like knockd", async () => {
    const s = setup();
    s.runner.start(
      { kind: "command", ip: "10.0.0.5", family: 4, door: "1", start: `echo "start 10.0.0.5" >> ${s.out}`, stop: `echo stop 10.0.0.5 >> ${s.out}`, stopAfterSec: 0.3 },
      { doorName: "openSSH", doorId: 1, section: "openSSH" },
    );
    expect(await until(() => s.read() === "start 10.0.0.5\n")).toBe(true);
    s.writer.flush();
    expect(readSetting(s.db, PENDING_COMMANDS_KEY)).toMatchObject([{ section: "openSSH", ip: "10.0.0.5", family: 4 }]);
    expect(await until(() => s.read() === "start 10.0.0.5\nstop 10.0.0.5\n")).toBe(true);
    expect(s.log.lines).toEqual([
      `openSSH: running command: echo "start 10.0.0.5" >> ${s.out}`,
      "10.0.0.5: openSSH: command timeout",
      `openSSH: running command: echo stop 10.0.0.5 >> ${s.out}`,
    ]);
    s.writer.flush();
    expect(readSetting(s.db, PENDING_COMMANDS_KEY)).toEqual([]);
    expect(s.db.$client.prepare("SELECT kind FROM events ORDER BY id").all()).toEqual([{ kind: "command" }, { kind: "command-timeout" }, { kind: "command" }]);
  });

  it("reports a failing command as an error event", async () => {
    const s = setup();
    s.runner.start({ kind: "command", ip: "10.0.0.5", family: 4, door: "1", start: "exit 3", stopAfterSec: 10 }, { doorName: "d", doorId: null, section: "d" });
    expect(await until(() => s.log.lines.some((l) => l.startsWith("error:")))).toBe(true);
    expect(s.log.lines).toContain("error: d: command failed (exit status 3): exit 3");
  });

  it("runs a stop command recorded by a previous run, from the config file, when it is due", async () => {
    const s = setup();
    const out = s.out;
    const runner = new CommandRunner({
      log: s.log,
      writer: s.writer,
      now: Date.now,
      stdio: "ignore",
      stopCommandFor: (section, family) => (section === "openSSH" && family === 4 ? `echo "stop %IP%" >> ${out}` : undefined),
    });
    writeSetting(s.db, PENDING_COMMANDS_KEY, [
      { id: "a", section: "openSSH", doorName: "openSSH", doorId: 1, ip: "10.0.0.5", family: 4, dueAt: Date.now() - 1000 },
      { id: "b", section: "openSSH", doorName: "openSSH", doorId: 1, ip: "10.0.0.6", family: 4, dueAt: Date.now() + 200 },
      // Never trusted: the database is writable by the web user.
      { id: "c", section: "openSSH", doorName: "openSSH", doorId: 1, ip: "10.0.0.7; rm -rf /", family: 4, dueAt: 0 },
      { id: "d", section: "gone", doorName: "gone", doorId: 2, ip: "10.0.0.8", family: 4, dueAt: 0 },
    ], Date.now());
    runner.restore(s.db);
    expect(await until(() => s.read() === "stop 10.0.0.5\nstop 10.0.0.6\n")).toBe(true);
    expect(s.log.lines.filter((l) => l.startsWith("error"))).toEqual([
      expect.stringContaining("ignoring malformed pending stop command record"),
      "error: gone: no stop command for section [gone] in the config file; nothing run for 10.0.0.8",
    ]);
  });

  it("on shutdown waits for running commands and keeps pending stops recorded", async () => {
    const s = setup();
    s.runner.start(
      { kind: "command", ip: "10.0.0.5", family: 4, door: "1", start: `sleep 0.3; echo done >> ${s.out}`, stop: "true", stopAfterSec: 60 },
      { doorName: "d", doorId: 1, section: "d" },
    );
    await s.runner.close(5000);
    expect(s.read()).toBe("done\n");
    expect(s.log.lines).toContain("waiting for child processes...");
    s.writer.flush();
    expect(readSetting(s.db, PENDING_COMMANDS_KEY)).toMatchObject([{ section: "d", ip: "10.0.0.5" }]);
  });
});
