import { describe, expect, it } from "vitest";
import { formatConfMessage, knockdDoorToDoor, parseKnockdConf } from "./conf";
import type { KnockdConfig, KnockdDoor } from "./conf";
import {
  MAN_EXAMPLE_2,
  MAN_EXAMPLE_4,
  SEED_000_OPEN_CLOSE,
  SEED_000_TIMED,
  SEED_002_SITE,
  SEED_002_SLIDE,
  SEED_003_DEFAULT,
  SEED_004_WIKI,
} from "@sesame/testkit/fixtures";
import { parseOneTimeSequences } from "./one-time";
import type { Step } from "../types";

const tcp = (port: number): Step => ({ port, protocol: "tcp" });
const udp = (port: number): Step => ({ port, protocol: "udp" });

function parseOk(text: string): { config: KnockdConfig; warnings: { line: number; message: string }[] } {
  const r = parseKnockdConf(text);
  if (!r.ok) throw new Error(`expected a valid config, got ${JSON.stringify(r.errors)}`);
  return r;
}

function doorDefaults(name: string, line: number): KnockdDoor {
  return { name, sequence: [], seqTimeoutSec: 25, tcpFlags: { set: [], clear: [] }, cmdTimeoutSec: 10, line };
}

describe("parseKnockdConf: seed and manual configs", () => {
  it("seed 002 (real site): options, an open door and five decoys", () => {
    const { config, warnings } = parseOk(SEED_002_SITE);
    expect(warnings).toEqual([]);
    expect(config.options).toEqual({ useSyslog: true, pidFile: "/var/run/knockd.pid" });
    expect(config.doors.map((d) => [d.name, d.line, d.sequence.map((s) => s.port)])).toEqual([
      ["opencloseSSH", 5, [1228, 1227]],
      ["banned1", 14, [1220, 1221]],
      ["banned2", 20, [1224, 1225]],
      ["banned3", 26, [1226, 1226]],
      ["banned4", 32, [1223, 1224]],
      ["banned5", 38, [1222, 1222]],
    ]);
    expect(config.doors[0]).toEqual({
      ...doorDefaults("opencloseSSH", 5),
      sequence: [tcp(1228), tcp(1227)],
      seqTimeoutSec: 15,
      tcpFlags: { set: ["syn"], clear: [] },
      startCommand: "/etc/rc.d/init.d/knockd accept %IP%",
    });
    expect(config.doors[5]?.startCommand).toBe("/etc/rc.d/init.d/knockd drop %IP%");
  });

  it("seed 002 as printed on the slides: each elided '...' line is a syntax error", () => {
    const r = parseKnockdConf(SEED_002_SLIDE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatConfMessage)).toEqual([
      'config: line 9: syntax error (expected "key = value", got "...")',
      'config: line 13: syntax error (expected "key = value", got "...")',
    ]);
  });

  it("seed 000: open/close pair", () => {
    const { config } = parseOk(SEED_000_OPEN_CLOSE);
    expect(config.options).toEqual({ useSyslog: false });
    expect(config.doors).toEqual([
      {
        ...doorDefaults("openSSH", 1),
        sequence: [tcp(6666), tcp(7532), tcp(9123)],
        seqTimeoutSec: 5,
        tcpFlags: { set: ["syn"], clear: [] },
        startCommand: "/sbin/iptables -I INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
      },
      {
        ...doorDefaults("closeSSH", 7),
        sequence: [tcp(9123), tcp(7532), tcp(6666)],
        seqTimeoutSec: 5,
        tcpFlags: { set: ["syn"], clear: [] },
        startCommand: "/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
      },
    ]);
  });

  it("seed 000: timed door keeps its command bytes as written", () => {
    const d = parseOk(SEED_000_TIMED).config.doors[0]!;
    expect(d.sequence.map((s) => s.port)).toEqual([6666, 8213, 12312, 9432]);
    expect(d.cmdTimeoutSec).toBe(25);
    expect(d.startCommand).toBe("/usr/sbin/iptables -I INPUT -s %IP% -p tcp –syn –dport 22 -j ACCEPT");
    expect(d.stopCommand).toBe("/usr/sbin/iptables -D INPUT -s %IP% -p tcp –syn –dport 22 -j ACCEPT");
  });

  it("seed 000: the blog's caption line before the first section is reported", () => {
    const r = parseKnockdConf(`/etc/knockd.conf:\n${SEED_000_TIMED}`);
    expect(r).toMatchObject({ ok: false, errors: [{ line: 1, message: "all directives must belong to a section" }] });
  });

  it("seed 003: blank lines between directives", () => {
    const { config } = parseOk(SEED_003_DEFAULT);
    expect(config.options.useSyslog).toBe(true);
    expect(config.doors.map((d) => [d.name, d.line, d.seqTimeoutSec])).toEqual([
      ["openSSH", 5, 15],
      ["closeSSH", 15, 5],
    ]);
  });

  it("seed 004: indented, mixed protocols, logfile", () => {
    const { config, warnings } = parseOk(SEED_004_WIKI);
    expect(warnings).toEqual([]);
    expect(config.options).toEqual({ useSyslog: false, logFile: "/var/log/knockd.log" });
    expect(config.doors[0]).toMatchObject({ sequence: [udp(7000), tcp(8000), udp(9000)], seqTimeoutSec: 5, cmdTimeoutSec: 30 });
  });

  it("manual example 2: tabs and syn,ack", () => {
    const d = parseOk(MAN_EXAMPLE_2).config.doors[0]!;
    expect(d).toMatchObject({ sequence: [udp(2222), tcp(3333), udp(4444)], tcpFlags: { set: ["syn", "ack"], clear: [] }, cmdTimeoutSec: 5 });
  });

  it("manual example 4: one-time sequences (no Sequence) and IPv6 commands", () => {
    const { config } = parseOk(MAN_EXAMPLE_4);
    expect(config.doors[0]).toEqual({
      ...doorDefaults("opencloseSMTP", 4),
      oneTimeSequencesFile: "/etc/knockd/smtp_sequences",
      seqTimeoutSec: 15,
      tcpFlags: { set: ["fin"], clear: ["ack"] },
      startCommand: "/usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT",
      startCommand6: "/usr/sbin/ip6tables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT",
      cmdTimeoutSec: 5,
      stopCommand: "/usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT",
      stopCommand6: "/usr/sbin/ip6tables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT",
    });
  });
});

describe("parseKnockdConf: directives", () => {
  it.each<[string, string, Partial<KnockdDoor>]>([
    ["aliases Timeout and Command_6", "timeout = 7\ncommand_6 = six", { seqTimeoutSec: 7, startCommand6: "six" }],
    ["case-insensitive keys", "SEQ_TIMEOUT = 9\nStart_Command = go", { seqTimeoutSec: 9, startCommand: "go" }],
    ["value split on the first =", "command = echo a=b == c", { startCommand: "echo a=b == c" }],
    ["# inside a value is not a comment", "command = echo #1", { startCommand: "echo #1" }],
    ["CRLF line endings", "seq_timeout = 3\r\ncommand = x\r", { seqTimeoutSec: 3, startCommand: "x" }],
    ["spaces around ports", "sequence = 7000 , 8000 : UDP", { sequence: [tcp(7000), udp(8000)] }],
    ["target is canonicalised", "target = 2001:DB8::0001", { target: "2001:db8::1" }],
    ["flags with ! and case", "tcpflags = SYN,!Ack,!rst", { tcpFlags: { set: ["syn"], clear: ["ack", "rst"] } }],
    ["empty IPv6 command = do nothing for IPv6", "start_command_6 =\nstop_command_6 =", { startCommand6: "", stopCommand6: "" }],
    ["cmd_timeout 0", "cmd_timeout = 0", { cmdTimeoutSec: 0 }],
    ["the last value wins", "seq_timeout = 5\nseq_timeout = 6", { seqTimeoutSec: 6 }],
  ])("%s", (_label, body, expected) => {
    const { config } = parseOk(`[d]\nsequence = 1,2,3\n${body}\n`);
    expect(config.doors[0]).toMatchObject(expected);
  });

  it("accepts an [options] section given twice and keeps the door order", () => {
    const { config } = parseOk("[options]\nlogfile = /a\n[b]\nsequence=1\n[options]\ninterface = eth1\n[a]\nsequence=2\n");
    expect(config.options).toEqual({ useSyslog: false, logFile: "/a", interface: "eth1" });
    expect(config.doors.map((d) => d.name)).toEqual(["b", "a"]);
  });
});

describe("parseKnockdConf: errors name their line", () => {
  it.each<[string, string, string[]]>([
    ["a directive without =", "[d]\nsequence = 1\nfoo\n", ['config: line 3: syntax error (expected "key = value", got "foo")']],
    ["a missing key", "[d]\nsequence = 1\n= 5\n", ['config: line 3: syntax error (missing directive name before "=")']],
    ["UseSyslog with a value", "[options]\nusesyslog = yes\n", ["config: line 2: syntax error (UseSyslog takes no value)"]],
    ["a door directive in [options]", "[options]\nsequence = 1\n", ["config: line 2: syntax error (sequence belongs in a door section, not [options])"]],
    ["an option in a door", "[d]\nsequence = 1\nLogFile = /x\n", ["config: line 3: syntax error (LogFile belongs in [options])"]],
    ["a directive outside any section", "sequence = 1\n[d]\nsequence = 1\n", ["config: line 1: all directives must belong to a section"]],
    ["an empty section name", "[]\nsequence = 1\n", ["config: line 1: bad section name"]],
    ["a duplicate section", "[d]\nsequence = 1\n\n[d]\nsequence = 2\n", ["config: line 4: duplicate section 'd' (first defined on line 1)"]],
    ["no sequence", "[options]\nUseSyslog\n[lonely]\ncommand = x\n", ["config: line 3: section 'lonely' has an empty knock sequence"]],
    ["an empty sequence", "[d]\nsequence =\n", ["config: line 2: section 'd' has an empty knock sequence"]],
    ["port 0", "[d]\nsequence = 0,7000\n", ["config: line 2: port 0 is invalid (ports are 1 to 65535)"]],
    ["port 70000", "[d]\nsequence = 7000,70000\n", ["config: line 2: port 70000 is invalid (ports are 1 to 65535)"]],
    ["a port that is not a number", "[d]\nsequence = ssh\n", ["config: line 2: port ssh is invalid (ports are 1 to 65535)"]],
    ["two commas", "[d]\nsequence = 1,,2\n", ["config: line 2: empty entry in knock sequence (two commas in a row?)"]],
    ["an unknown protocol", "[d]\nsequence = 7000:icmp\n", ['config: line 2: unknown protocol in knock sequence: "icmp" (expected tcp or udp)']],
    [
      "33 ports",
      `[d]\nsequence = ${Array.from({ length: 33 }, (_, i) => 1000 + i).join(",")}\n`,
      ["config: line 2: too many ports in knock sequence (at most 32)"],
    ],
    ["a bad seq_timeout", "[d]\nsequence = 1\nseq_timeout = abc\n", ['config: line 3: seq_timeout must be a whole number of seconds, got "abc"']],
    ["seq_timeout 0", "[d]\nsequence = 1\nSeq_Timeout = 0\n", ["config: line 3: Seq_Timeout must be from 1 to 86400 seconds, got 0"]],
    ["a negative cmd_timeout", "[d]\nsequence = 1\ncmd_timeout = -5\n", ['config: line 3: cmd_timeout must be a whole number of seconds, got "-5"']],
    ["an unknown flag", "[d]\nsequence = 1\ntcpflags = syn,xmas\n", ['config: line 3: unrecognized flag "xmas" (expected fin, syn, rst, psh, ack or urg, optionally preceded by !)']],
    ["a flag both set and cleared", "[d]\nsequence = 1\ntcpflags = syn,!syn\n", ["config: line 3: flag syn is both required and excluded"]],
    ["a bad target", "[d]\nsequence = 1\ntarget = gateway.lan\n", ['config: line 3: target "gateway.lan" is not an IP address']],
    ["a bad interface", "[options]\ninterface = /dev/eth0\n", ['config: line 2: interface "/dev/eth0" is invalid (1 to 15 characters without spaces, \'/\' or \':\')']],
    ["an empty logfile", "[options]\nlogfile =\n", ["config: line 2: logfile needs a value"]],
    ["an empty one_time_sequences", "[d]\none_time_sequences =\n", ["config: line 2: one_time_sequences needs a file path", "config: line 1: section 'd' has an empty knock sequence"].reverse()],
  ])("%s", (_label, text, expected) => {
    const r = parseKnockdConf(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatConfMessage)).toEqual(expected);
  });

  it("collects every error in line order instead of stopping at the first", () => {
    const text = ["[a]", "sequence = 99999", "seq_timeout = x", "[b]", "garbage", "[a]", "sequence = 1:sctp", "[c]"].join("\n");
    const r = parseKnockdConf(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.message.split(" (")[0]])).toEqual([
      [2, "port 99999 is invalid"],
      [3, 'seq_timeout must be a whole number of seconds, got "x"'],
      [4, "section 'b' has an empty knock sequence"],
      [5, "syntax error"],
      [6, "duplicate section 'a'"],
      [7, 'unknown protocol in knock sequence: "sctp"'],
      [8, "section 'c' has an empty knock sequence"],
    ]);
  });
});

describe("parseKnockdConf: warnings", () => {
  it.each<[string, string, string[]]>([
    ["unknown directive", "[d]\nsequence = 1\nfrobnicate = yes\n", ['line 3: unknown directive "frobnicate" ignored (knockd 0.8 refuses it with "syntax error")']],
    ["the slides' typo", "[d]\nsequence = 1\nOne_Time_Seq=ences = /x\n", ['line 3: unknown directive "One_Time_Seq" ignored (knockd 0.8 refuses it with "syntax error")']],
    ["repeated directive", "[d]\nsequence = 1\ntimeout = 5\nseq_timeout = 6\n", ["line 4: seq_timeout repeats line 3; the last value wins"]],
    ["UseSyslog in a door", "[d]\nsequence = 1\nUseSyslog\n", ["line 3: UseSyslog belongs in [options]; it applies globally"]],
    ["[Options] is a door", "[Options]\nsequence = 1\n", ["line 1: section [Options] is a door: knockd only treats lowercase [options] as the global section"]],
    ["space-separated ports", "[d]\nsequence = 7000 8000 9000\n", ["line 2: ports separated by spaces only: knockd 0.8 reads just the first of them, Sesame reads them all"]],
    ["the manual's | notation", "[d]\nsequence = 1\ntcpflags = syn|ack\n", ['line 3: TCPFlags "syn|ack": knockd 0.8 only accepts flags separated by bare commas (e.g. syn,!ack)']],
    ["flags on a UDP-only door", "[d]\nsequence = 1:udp,2:udp\ntcpflags = syn\n", ["line 3: TCPFlags has no effect: every knock of section 'd' is UDP"]],
    ["both Sequence and One_Time_Sequences", "[d]\nsequence = 1\none_time_sequences = /etc/x\n", ["line 1: section 'd' sets both Sequence and One_Time_Sequences; the one-time sequences are used"]],
    ["a relative one-time file", "[d]\none_time_sequences = seqs.txt\n", ['line 2: one_time_sequences path "seqs.txt" is relative: knockd resolves it from its working directory']],
    ["an empty IPv4 command", "[d]\nsequence = 1\ncommand =\n", ["line 3: empty command ignored"]],
  ])("%s", (_label, text, expected) => {
    const r = parseOk(text);
    expect(r.warnings.map((w) => `line ${w.line}: ${w.message}`)).toEqual(expected);
  });

  it("reads the manual's | and spaced flag notations", () => {
    expect(parseOk("[d]\nsequence = 1\nTCPflags = fin|syn|rst|psh|ack|urg\n").config.doors[0]?.tcpFlags).toEqual({
      set: ["fin", "syn", "rst", "psh", "ack", "urg"],
      clear: [],
    });
    expect(parseOk("[d]\nsequence = 1\ntcpflags = syn, !ack\n").config.doors[0]?.tcpFlags).toEqual({ set: ["syn"], clear: ["ack"] });
  });
});

describe("knockdDoorToDoor", () => {
  it("maps a command door", () => {
    const d = parseOk(SEED_004_WIKI).config.doors[0]!;
    expect(knockdDoorToDoor(d)).toEqual({
      id: "opencloseSSH",
      name: "opencloseSSH",
      sequence: [udp(7000), tcp(8000), udp(9000)],
      seqTimeoutMs: 5000,
      tcpFlags: { set: ["syn"], clear: [] },
      action: {
        kind: "command",
        start: "/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
        stop: "/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
        cmdTimeoutSec: 30,
      },
      cooldownMs: 0,
      tolerateDuplicates: false,
      enabled: true,
    });
  });

  it("keeps target, IPv6 commands and an empty start for log-only doors", () => {
    const { config } = parseOk("[w]\nsequence = 1\ntarget = 192.0.2.9\nstart_command_6 =\n");
    expect(knockdDoorToDoor(config.doors[0]!)).toMatchObject({
      target: "192.0.2.9",
      action: { kind: "command", start: "", start6: "", cmdTimeoutSec: 10 },
    });
  });

  const smtp = () => parseOk(MAN_EXAMPLE_4).config.doors[0]!;
  it.each<[string, Parameters<typeof knockdDoorToDoor>[1], Step[], number]>([
    ["plain lists", [[tcp(1), udp(2)], [tcp(3)]], [tcp(1), udp(2)], 2],
    ["a parsed file, used lines skipped", parseOneTimeSequences("#1,2\n 3,4:udp\nbad line\n5\n"), [tcp(3), udp(4)], 2],
    ["an exhausted file", parseOneTimeSequences("#1,2\n#3\n"), [], 0],
    ["no file contents supplied", undefined, [], 0],
  ])("one-time sequences from %s", (_label, oneTime, sequence, count) => {
    const door = knockdDoorToDoor(smtp(), oneTime);
    expect(door.sequence).toEqual(sequence);
    expect(door.oneTimeIndex).toBe(0);
    expect(door.oneTimeSequences).toHaveLength(count);
  });
});
