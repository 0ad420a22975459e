import { describe, expect, it } from "vitest";
import { doorToKnockdSection, doorsToKnockdConf, exportKnockdConf } from "./export";
import { knockdDoorToDoor, parseKnockdConf } from "./conf";
import type { KnockdConfig } from "./conf";
import { SEED_004_WIKI, VALID_SAMPLES } from "@sesame/testkit/fixtures";
import type { Door } from "../types";

function parsed(text: string): KnockdConfig {
  const r = parseKnockdConf(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

/** Configs compare equal regardless of where each door's header sat. */
function withoutLines(c: KnockdConfig) {
  return { options: c.options, doors: c.doors.map(({ line: _line, ...d }) => d) };
}

describe("exportKnockdConf", () => {
  it.each(Object.entries(VALID_SAMPLES))("%s round-trips", (_name, text) => {
    const config = parsed(text);
    const exported = exportKnockdConf(config);
    const again = parseKnockdConf(exported);
    expect(again).toMatchObject({ ok: true, warnings: [] });
    if (!again.ok) return;
    expect(withoutLines(again.config)).toEqual(withoutLines(config));
    // Exporting the re-parsed config is a fixed point.
    expect(exportKnockdConf(again.config)).toBe(exported);
  });

  it("round-trips every directive, including empty IPv6 commands and a non-default cmd_timeout", () => {
    const config = parsed(
      [
        "[options]",
        "UseSyslog",
        "logfile = /var/log/knockd.log",
        "pidfile = /run/knockd.pid",
        "interface = eth0,eth1",
        "[all]",
        "sequence = 1:udp,2,2",
        "one_time_sequences = /etc/knockd/otp",
        "seq_timeout = 3600",
        "tcpflags = syn,!ack,!urg",
        "target = 2001:db8::9",
        "start_command = a %IP%",
        "start_command_6 =",
        "stop_command = b %IP%",
        "stop_command_6 =",
        "[quiet]",
        "sequence = 9",
        "cmd_timeout = 0",
      ].join("\n"),
    );
    const again = parsed(exportKnockdConf(config));
    expect(withoutLines(again)).toEqual(withoutLines(config));
  });

  it("writes the seed 004 file in a stable layout", () => {
    expect(exportKnockdConf(parsed(SEED_004_WIKI))).toBe(
      [
        "[options]",
        "    LogFile            = /var/log/knockd.log",
        "",
        "[opencloseSSH]",
        "    Sequence           = 7000:udp,8000,9000:udp",
        "    Seq_Timeout        = 5",
        "    TCPFlags           = syn",
        "    Start_Command      = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
        "    Cmd_Timeout        = 30",
        "    Stop_Command       = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
        "",
      ].join("\n"),
    );
  });

  it("refuses values that would break out of their line", () => {
    const config = parsed("[d]\nsequence = 1\n");
    config.doors[0]!.startCommand = "true\nstart_command = rm -rf /";
    expect(() => exportKnockdConf(config)).toThrow(/line break/);
  });
});

const base: Omit<Door, "action"> = {
  id: "1",
  name: "openSSH",
  sequence: [
    { port: 7000, protocol: "tcp" },
    { port: 8000, protocol: "udp" },
  ],
  seqTimeoutMs: 15_000,
  tcpFlags: { set: ["syn"], clear: [] },
  cooldownMs: 0,
  tolerateDuplicates: false,
  enabled: true,
};
const open: Door = { ...base, action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }], durationSec: 300 } };
const closeIt: Door = { ...base, id: "2", name: "closeSSH", sequence: [{ port: 9000, protocol: "tcp" }], action: { kind: "close", doorName: "openSSH" } };
const ban: Door = { ...base, id: "3", name: "banned1", sequence: [{ port: 1220, protocol: "tcp" }, { port: 1221, protocol: "tcp" }], action: { kind: "ban", durationSec: 3600 } };

describe("doorToKnockdSection", () => {
  it("writes an open door as iptables/ip6tables commands with Cmd_Timeout", () => {
    expect(doorToKnockdSection(open)).toBe(
      [
        "# Sesame: opens tcp/22, udp/53 to the knocker for 300 s (kernel-side timeout).",
        "[openSSH]",
        "    Sequence           = 7000,8000:udp",
        "    Seq_Timeout        = 15",
        "    TCPFlags           = syn",
        "    Start_Command      = /usr/sbin/iptables -I INPUT -s %IP% -p tcp --dport 22 -j ACCEPT; /usr/sbin/iptables -I INPUT -s %IP% -p udp --dport 53 -j ACCEPT",
        "    Start_Command_6    = /usr/sbin/ip6tables -I INPUT -s %IP% -p tcp --dport 22 -j ACCEPT; /usr/sbin/ip6tables -I INPUT -s %IP% -p udp --dport 53 -j ACCEPT",
        "    Cmd_Timeout        = 300",
        "    Stop_Command       = /usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT; /usr/sbin/iptables -D INPUT -s %IP% -p udp --dport 53 -j ACCEPT",
        "    Stop_Command_6     = /usr/sbin/ip6tables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT; /usr/sbin/ip6tables -D INPUT -s %IP% -p udp --dport 53 -j ACCEPT",
        "",
      ].join("\n"),
    );
  });

  it.each<[string, Door, Door[] | undefined, Record<string, unknown>]>([
    ["close with its open door known", closeIt, [open, closeIt], { startCommand: expect.stringContaining("iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT") }],
    ["close without context only logs", closeIt, undefined, { startCommand: undefined }],
    ["ban drops protected ports for its duration", ban, [open, ban], { startCommand: expect.stringContaining("-p udp --dport 53 -j DROP"), cmdTimeoutSec: 3600, stopCommand: expect.stringContaining("-D INPUT") }],
    ["ban without protected ports only logs", ban, [ban], { startCommand: undefined }],
    [
      "command door keeps its commands",
      { ...base, action: { kind: "command", start: "x %IP%", start6: "", stop: "y %IP%", cmdTimeoutSec: 7 } },
      undefined,
      { startCommand: "x %IP%", startCommand6: "", stopCommand: "y %IP%", cmdTimeoutSec: 7 },
    ],
    ["target is kept", { ...open, target: "192.0.2.1" }, undefined, { target: "192.0.2.1" }],
  ])("%s (and parses as knockd.conf)", (_label, door, doors, expected) => {
    const text = doorToKnockdSection(door, doors ? { doors } : {});
    const r = parseKnockdConf(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.doors).toHaveLength(1);
    const { startCommand, ...rest } = expected;
    expect(r.config.doors[0]).toMatchObject({ name: door.name, sequence: door.sequence, seqTimeoutSec: 15, ...rest });
    if ("startCommand" in expected) expect(r.config.doors[0]?.startCommand).toEqual(startCommand);
  });

  it("round-trips a command door through knockdDoorToDoor", () => {
    const config = parsed(SEED_004_WIKI);
    const door = knockdDoorToDoor(config.doors[0]!);
    const again = parsed(doorToKnockdSection(door));
    expect(knockdDoorToDoor(again.doors[0]!)).toEqual(door);
  });

  it.each<[string, Door, RegExp]>([
    ["disabled door", { ...open, enabled: false }, /^# Disabled in Sesame/],
    ["exhausted one-time door", { ...open, sequence: [], oneTimeSequences: [[{ port: 1, protocol: "tcp" }]], oneTimeIndex: 1 }, /^# No sequence left/],
  ])("%s is fully commented out", (_label, door, first) => {
    const text = doorToKnockdSection(door);
    expect(text).toMatch(first);
    expect(text.split("\n").filter((l) => l !== "").every((l) => l.startsWith("#"))).toBe(true);
    expect(parseKnockdConf(text)).toMatchObject({ ok: true, config: { doors: [] } });
  });

  it("mentions what knockd cannot do", () => {
    const text = doorToKnockdSection({ ...open, cooldownMs: 30_000, tolerateDuplicates: true, oneTimeSequences: [base.sequence, base.sequence], oneTimeIndex: 0 });
    expect(text).toContain("# Sesame: cooldown of 30 s after a success (knockd has none).");
    expect(text).toContain("# Sesame: tolerates an immediately repeated knock (knockd does not).");
    expect(text).toContain("# Sesame: one-time sequences (2 left, kept in Sesame's database); Sequence is the current one.");
  });

  it("writes several doors as one file knockd.conf readers accept", () => {
    const text = doorsToKnockdConf([open, closeIt, ban]);
    const config = parsed(text);
    expect(config.options.useSyslog).toBe(true);
    expect(config.doors.map((d) => d.name)).toEqual(["openSSH", "closeSSH", "banned1"]);
  });
});
