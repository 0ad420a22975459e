import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { doors, openDb } from "@sesame/db";
import { commandFileProblem, commandLookup, loadKnockdConf, markUsedInFile } from "./knockd-conf-file";
import { importKnockdDoors } from "./knockd-doors-to-db";
import { memoryLog } from "./test-support";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(conf: string, extra: Record<string, string> = {}): { dir: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), "sesame-conf-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  const path = join(dir, "knockd.conf");
  writeFileSync(path, conf.replaceAll("DIR", dir), { mode: 0o600 });
  return { dir, conf: path };
}

const CONF = `[options]
	UseSyslog
	Interface = eth1

[openSSH]
	sequence    = 7000,8000,9000
	seq_timeout = 5
	tcpflags    = syn
	command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
	cmd_timeout = 10
	stop_command = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT

[oneTime]
	one_time_sequences = DIR/otp.txt
	seq_timeout = 10
	command = /bin/true %IP%
`;

const OTP = "# used already\n#1000,2000\n 1111,2222:udp\n\n 3333,4444\n";

describe("commandFileProblem", () => {
  it.each([
    [{ uid: 0, mode: 0o100600 }, null],
    [{ uid: 0, mode: 0o100644 }, null],
    [{ uid: 1000, mode: 0o100600 }, "owned by uid 1000, not root"],
    [{ uid: 0, mode: 0o100664 }, "writable by its group (mode 664)"],
    [{ uid: 0, mode: 0o100646 }, "writable by others (mode 646)"],
  ])("%o → %s", (st, want) => {
    expect(commandFileProblem(st)).toBe(want);
  });
});

describe("knockd.conf import", () => {
  it("imports doors (command action, section, preview), options and one-time sequences", () => {
    const f = files(CONF, { "otp.txt": OTP });
    const log = memoryLog();
    const r = loadKnockdConf(f.conf, log);
    if (!r.ok) throw new Error(r.messages.join("\n"));
    expect(r.loaded.commandsAllowed).toBe(true);
    expect(r.loaded.config.options).toMatchObject({ useSyslog: true, interface: "eth1" });
    const db = openDb(":memory:", { migrate: true });
    expect(importKnockdDoors(db, r.loaded, 1000, log)).toEqual({ inserted: 2, updated: 0, removed: 0, skipped: 0 });
    const rows = db.select().from(doors).orderBy(doors.id).all();
    expect(rows.map((d) => ({ name: d.name, action: d.action, source: d.source, section: d.commandSection, seq: d.sequence, ot: d.oneTimeSequences }))).toEqual([
      { name: "openSSH", action: "command", source: "knockd-conf", section: "openSSH", seq: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "tcp" }, { port: 9000, protocol: "tcp" }], ot: null },
      {
        name: "oneTime", action: "command", source: "knockd-conf", section: "oneTime",
        seq: [{ port: 1111, protocol: "tcp" }, { port: 2222, protocol: "udp" }],
        ot: [[{ port: 1111, protocol: "tcp" }, { port: 2222, protocol: "udp" }], [{ port: 3333, protocol: "tcp" }, { port: 4444, protocol: "tcp" }]],
      },
    ]);
    expect(rows[0]?.commandPreview).toContain("/sbin/iptables -A INPUT -s %IP%");
    expect(commandLookup(r.loaded)("openSSH")).toMatchObject({ kind: "command", start: "/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT", cmdTimeoutSec: 10 });
    expect(commandLookup(r.loaded)("nope")).toBeUndefined();
  });

  it("re-import updates by name, keeps the UI's switches, removes vanished sections, leaves UI doors alone", () => {
    const f = files(CONF, { "otp.txt": OTP });
    const log = memoryLog();
    const db = openDb(":memory:", { migrate: true });
    db.insert(doors).values({ name: "uiDoor", sequence: [{ port: 1, protocol: "tcp" }], action: "open", openPorts: [{ port: 22, protocol: "tcp" }] }).run();
    const first = loadKnockdConf(f.conf, log);
    if (!first.ok) throw new Error("parse");
    importKnockdDoors(db, first.loaded, 1000, log);
    db.$client.prepare("UPDATE doors SET enabled = 0 WHERE name = 'openSSH'").run();
    writeFileSync(f.conf, CONF.replaceAll("DIR", f.dir).replace("7000,8000,9000", "7001,8001").replace(/\[oneTime\][\s\S]*$/, "[uiDoor]\n\tsequence = 5,6\n\tcommand = /bin/true\n"));
    const second = loadKnockdConf(f.conf, log);
    if (!second.ok) throw new Error("parse");
    expect(importKnockdDoors(db, second.loaded, 2000, log)).toEqual({ inserted: 0, updated: 1, removed: 1, skipped: 1 });
    const rows = db.select().from(doors).orderBy(doors.id).all();
    expect(rows.map((d) => [d.name, d.source, d.enabled, d.sequence.map((s) => s.port).join(",")])).toEqual([
      ["uiDoor", "ui", true, "1"],
      ["openSSH", "knockd-conf", false, "7001,8001"],
    ]);
    expect(log.lines).toContain("error: [uiDoor] not imported: a door with that name was created in the web UI");
  });

  it("refuses commands from a file others can write, but still imports its doors", () => {
    const f = files(CONF, { "otp.txt": OTP });
    chmodSync(f.conf, 0o666);
    const log = memoryLog();
    const r = loadKnockdConf(f.conf, log);
    if (!r.ok) throw new Error("parse");
    expect(r.loaded.commandsAllowed).toBe(false);
    expect(commandLookup(r.loaded)("openSSH")).toBeUndefined();
    expect(log.lines.find((l) => l.startsWith("error"))).toMatch(/refusing to run commands from .*knockd\.conf: writable by its group \(mode 666\)/);
  });

  it("returns knockd's `config: line N:` errors for a broken file", () => {
    const f = files("[openSSH]\n\tsequence = 7000,99999\n\tcommand = x\n[empty]\n\tcommand = y\n");
    const r = loadKnockdConf(f.conf, memoryLog());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.messages.every((m) => /^config: line \d+: /.test(m))).toBe(true);
    expect(r.messages.join("\n")).toMatch(/line 2: .*99999/);
    expect(r.messages.join("\n")).toMatch(/line 4: section 'empty' has an empty knock sequence/);
    expect(loadKnockdConf(join(f.dir, "missing.conf"), memoryLog())).toEqual({ ok: false, messages: [`config: could not open ${join(f.dir, "missing.conf")}: ENOENT`] });
  });

  it("comments a used one-time sequence out of its file, like knockd", () => {
    const f = files(CONF, { "otp.txt": OTP });
    const log = memoryLog();
    const r = loadKnockdConf(f.conf, log);
    if (!r.ok) throw new Error("parse");
    markUsedInFile(r.loaded, "oneTime", 0, log);
    expect(readFileSync(join(f.dir, "otp.txt"), "utf8")).toBe("# used already\n#1000,2000\n#1111,2222:udp\n\n 3333,4444\n");
    markUsedInFile(r.loaded, "oneTime", 1, log);
    expect(readFileSync(join(f.dir, "otp.txt"), "utf8")).toBe("# used already\n#1000,2000\n#1111,2222:udp\n\n#3333,4444\n");
    // Nothing left: a reload sees an exhausted (inactive) door, not a crash.
    const again = loadKnockdConf(f.conf, log);
    if (!again.ok) throw new Error("parse");
    expect(again.loaded.oneTime.get("oneTime")?.unused).toEqual([]);
    expect(log.lines).toContain("warn: oneTime: no unused sequence left in " + join(f.dir, "otp.txt") + "; the door is inactive");
  });
});
