import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { DEFAULT_TOTP_SETTINGS } from "../totp/sequence";
import {
  ChangePasswordSchema,
  DoorInputSchema,
  HistoryFilterSchema,
  LoginSchema,
  SettingsInputSchema,
  StepSchema,
  fieldErrors,
  isValidInterfaceName,
  makeSettingsInputSchema,
  makeTrustedNetworkInputSchema,
} from "../index";
import { ATTEMPT_MEMORY_SHARE, BYTES_PER_PENDING_ATTEMPT, computeAttemptCapLimit, describeAttemptCapLimit } from "../settings/attempt-memory";
import { doorInputToRow, doorRowToDoor, doorToInput, doorToRow } from "./row";
import type { DoorInput } from "./schemas";
import type { Door } from "../types";

/** Field path → message for a failing parse; {} when it succeeds. */
function errorsOf(schema: z.ZodType, input: unknown): Record<string, string> {
  const r = schema.safeParse(input);
  return r.success ? {} : fieldErrors(r.error);
}

const validDoor = {
  name: "openSSH",
  steps: [
    { port: 7000, protocol: "tcp" },
    { port: 8000, protocol: "udp" },
    { port: 9000, protocol: "tcp" },
  ],
  action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 },
};

describe("StepSchema", () => {
  it.each([
    [{ port: 1, protocol: "tcp" }, { port: 1, protocol: "tcp" }],
    [{ port: 65535, protocol: "udp" }, { port: 65535, protocol: "udp" }],
    [{ port: "7000" }, { port: 7000, protocol: "tcp" }],
  ])("accepts %j", (input, out) => {
    expect(StepSchema.parse(input)).toEqual(out);
  });

  it.each([
    [{ port: 0, protocol: "tcp" }, { port: "Port must be a whole number from 1 to 65535." }],
    [{ port: 65536, protocol: "tcp" }, { port: "Port must be a whole number from 1 to 65535." }],
    [{ port: 22.5, protocol: "tcp" }, { port: "Port must be a whole number from 1 to 65535." }],
    [{ port: "x", protocol: "tcp" }, { port: "Port must be a whole number from 1 to 65535." }],
    [{ protocol: "tcp" }, { port: "Port must be a whole number from 1 to 65535." }],
    [{ port: 22, protocol: "icmp" }, { protocol: "Protocol must be tcp or udp." }],
  ])("rejects %j", (input, errors) => {
    expect(errorsOf(StepSchema, input)).toEqual(errors);
  });
});

describe("DoorInputSchema", () => {
  it("applies defaults", () => {
    expect(DoorInputSchema.parse(validDoor)).toEqual({
      ...validDoor,
      seqTimeoutSec: 25,
      tcpFlags: { set: [], clear: [] },
      target: undefined,
      cooldownSec: 0,
      tolerateDuplicates: false,
      enabled: true,
    });
  });

  it.each([
    ["trims the name", { name: "  web-1.door_x " }, { name: "web-1.door_x" }],
    ["canonicalises the target", { target: "2001:DB8::0001" }, { target: "2001:db8::1" }],
    ["treats an empty target as none", { target: "" }, { target: undefined }],
    ["dedupes flags", { tcpFlags: { set: ["syn", "syn"], clear: ["ack"] } }, { tcpFlags: { set: ["syn"], clear: ["ack"] } }],
    ["accepts form strings", { seqTimeoutSec: "15", enabled: "off", tolerateDuplicates: "on" }, { seqTimeoutSec: 15, enabled: false, tolerateDuplicates: true }],
    ["accepts a close action without door", { action: { kind: "close", doorName: "" } }, { action: { kind: "close", doorName: undefined } }],
    ["accepts a close action for a door", { action: { kind: "close", doorName: "openSSH" } }, { action: { kind: "close", doorName: "openSSH" } }],
    ["accepts a ban action", { action: { kind: "ban", durationSec: 31_536_000 } }, { action: { kind: "ban", durationSec: 31_536_000 } }],
    ["accepts duplicate steps", { steps: [{ port: 1226 }, { port: 1226 }] }, { steps: [{ port: 1226, protocol: "tcp" }, { port: 1226, protocol: "tcp" }] }],
  ])("%s", (_label, patch, expected) => {
    expect(DoorInputSchema.parse({ ...validDoor, ...patch })).toMatchObject(expected);
  });

  const manySteps = Array.from({ length: 33 }, (_, i) => ({ port: 1000 + i, protocol: "tcp" }));
  it.each([
    [{ name: "" }, { name: "Name is required." }],
    [{ name: undefined }, { name: "Name is required." }],
    [{ name: "open ssh" }, { name: "Name may only contain letters, digits, '.', '-' and '_' (no spaces)." }],
    [{ name: "a]b" }, { name: "Name may only contain letters, digits, '.', '-' and '_' (no spaces)." }],
    [{ name: "x".repeat(65) }, { name: "Name must be at most 64 characters long." }],
    [{ name: "options" }, { name: 'Name cannot be "options": knockd reserves that section.' }],
    [{ name: "SPA" }, { name: 'Name cannot be "SPA": SPA grants and events go by that name.' }],
    [{ name: "spa" }, { name: 'Name cannot be "SPA": SPA grants and events go by that name.' }],
    [{ steps: [] }, { steps: "The knock sequence needs at least one knock." }],
    [{ steps: undefined }, { steps: "The knock sequence is required." }],
    [{ steps: manySteps }, { steps: "The knock sequence has at most 32 knocks." }],
    [{ steps: [{ port: 7000 }, { port: 70000 }] }, { "steps.1.port": "Port must be a whole number from 1 to 65535." }],
    [{ seqTimeoutSec: 0 }, { seqTimeoutSec: "Sequence timeout must be a whole number of seconds from 1 to 3600." }],
    [{ seqTimeoutSec: 3601 }, { seqTimeoutSec: "Sequence timeout must be a whole number of seconds from 1 to 3600." }],
    [{ tcpFlags: { set: ["syn"], clear: ["syn"] } }, { "tcpFlags.clear": "TCP flag syn cannot be both required and forbidden." }],
    [{ tcpFlags: { set: ["xmas"] } }, { "tcpFlags.set.0": "TCP flags must be among fin, syn, rst, psh, ack and urg." }],
    [{ target: "10.0.0.300" }, { target: "Target must be an IPv4 or IPv6 address." }],
    [{ action: { kind: "command", start: "rm -rf /" } }, { "action.kind": "Action must be open, close or ban." }],
    [{ action: undefined }, { action: "Action must be open, close or ban." }],
    [{ action: { kind: "open", ports: [], durationSec: 10 } }, { "action.ports": "Choose at least one port to open." }],
    [
      { action: { kind: "open", ports: Array.from({ length: 17 }, (_, i) => ({ port: i + 1 })), durationSec: 10 } },
      { "action.ports": "A door opens at most 16 ports." },
    ],
    [
      { action: { kind: "open", ports: [{ port: 22 }], durationSec: 86_401 } },
      { "action.durationSec": "Open duration must be a whole number of seconds from 1 to 86400 (one day)." },
    ],
    [{ action: { kind: "open", ports: [{ port: 22 }, { port: 22, protocol: "udp" }, { port: 22, protocol: "tcp" }], durationSec: 10 } }, { "action.ports.2": "Port tcp/22 is listed twice." }],
    [{ action: { kind: "ban", durationSec: 0 } }, { "action.durationSec": "Ban duration must be a whole number of seconds from 1 to 31536000 (one year)." }],
    [{ cooldownSec: -1 }, { cooldownSec: "Cooldown must be a whole number of seconds from 0 to 86400." }],
    [{ enabled: "maybe" }, { enabled: "Enabled must be yes or no." }],
  ])("rejects %j", (patch, errors) => {
    expect(errorsOf(DoorInputSchema, { ...validDoor, ...patch })).toEqual(errors);
  });
});

describe("TrustedNetworkInputSchema", () => {
  const now = 1_700_000_000_000;
  const schema = makeTrustedNetworkInputSchema(() => now);

  it.each([
    [{ cidr: "10.0.0.5/24" }, { cidr: "10.0.0.0/24", comment: "", expiresAt: undefined }],
    [{ cidr: "30.28.121.188", comment: "  office  " }, { cidr: "30.28.121.188/32", comment: "office", expiresAt: undefined }],
    [{ cidr: "2001:DB8::/32", expiresAt: now + 1 }, { cidr: "2001:db8::/32", comment: "", expiresAt: now + 1 }],
    [{ cidr: "::1", expiresAt: "2030-01-01T00:00:00Z" }, { cidr: "::1/128", comment: "", expiresAt: Date.parse("2030-01-01T00:00:00Z") }],
    [{ cidr: "::1", expiresAt: "" }, { cidr: "::1/128", comment: "", expiresAt: undefined }],
  ])("accepts %j", (input, out) => {
    expect(schema.parse(input)).toEqual(out);
  });

  it.each([
    [{ cidr: "ssh.maths.fr" }, { cidr: 'Network: "ssh.maths.fr" is not an IPv4 or IPv6 address.' }],
    [{ cidr: "10.0.0.0/33" }, { cidr: "Network: Prefix /33 is out of range for IPv4 (expected /0 to /32)." }],
    [{ cidr: "::ffff:0:0/96" }, { cidr: "Network: ::ffff:0:0/96 is an IPv4-mapped IPv6 network (::ffff:a.b.c.d): write the IPv4 form 0.0.0.0/0." }],
    [{ cidr: "::ffff:1.2.3.0/120" }, { cidr: "Network: ::ffff:1.2.3.0/120 is an IPv4-mapped IPv6 network (::ffff:a.b.c.d): write the IPv4 form 1.2.3.0/24." }],
    [{}, { cidr: "Network is required." }],
    [{ cidr: "10.0.0.0/8", comment: "x".repeat(201) }, { comment: "Comment must be at most 200 characters long." }],
    [{ cidr: "10.0.0.0/8", expiresAt: now }, { expiresAt: "Expiry must be in the future." }],
    [{ cidr: "10.0.0.0/8", expiresAt: "2001-01-01" }, { expiresAt: "Expiry must be in the future." }],
    [{ cidr: "10.0.0.0/8", expiresAt: "next tuesday" }, { expiresAt: "Expiry must be a date." }],
  ])("rejects %j", (input, errors) => {
    expect(errorsOf(schema, input)).toEqual(errors);
  });
});

describe("SettingsInputSchema", () => {
  const valid = { interfaces: ["eth0", "veth-s"], backend: "nftables", retentionDays: 30, maxAttempts: 250_000, syslog: false };

  it("accepts valid settings and an empty interface list", () => {
    // Rotating-sequence settings have their own form fields; left out, the defaults apply.
    expect(SettingsInputSchema.parse(valid)).toEqual({ ...valid, totp: DEFAULT_TOTP_SETTINGS });
    expect(SettingsInputSchema.parse({ ...valid, interfaces: [] }).interfaces).toEqual([]);
  });

  it.each([
    [{ interfaces: ["eth 0"] }, { "interfaces.0": "Interface names are 1 to 15 characters without spaces, '/' or ':' (for example eth0)." }],
    [{ interfaces: ["eth0", "a".repeat(16)] }, { "interfaces.1": "Interface names are 1 to 15 characters without spaces, '/' or ':' (for example eth0)." }],
    [{ interfaces: ["eth0", "eth0"] }, { "interfaces.1": "Interface eth0 is listed twice." }],
    [{ interfaces: "eth0" }, { interfaces: "Interfaces must be a list of interface names." }],
    [{ backend: "pf" }, { backend: "Firewall backend must be nftables or iptables." }],
    [{ retentionDays: 0 }, { retentionDays: "Retention must be a whole number of days from 1 to 3650." }],
    [{ maxAttempts: 999 }, { maxAttempts: "Maximum pending attempts must be a whole number from 1000 to 5000000." }],
    [{ maxAttempts: 5_000_001 }, { maxAttempts: "Maximum pending attempts must be a whole number from 1000 to 5000000." }],
    [{ syslog: "on" }, { syslog: "Send events to syslog must be on or off." }],
  ])("rejects %j", (patch, errors) => {
    expect(errorsOf(SettingsInputSchema, { ...valid, ...patch })).toEqual(errors);
  });

  it.each([
    ["eth0", true],
    ["enp0s31f6", true],
    ["br-lan.10", true],
    ["x".repeat(15), true],
    ["", false],
    [".", false],
    ["..", false],
    ["eth0:1", false],
    ["a/b", false],
    ["x".repeat(16), false],
  ])("isValidInterfaceName(%j) = %s", (name, ok) => {
    expect(isValidInterfaceName(name)).toBe(ok);
  });
});

describe("HistoryFilterSchema", () => {
  it.each([
    [{}, { page: 1, pageSize: 50 }],
    [{ ip: "10.0.0.5", page: "3", pageSize: "100" }, { ip: "10.0.0.5", page: 3, pageSize: 100 }],
    [{ ip: "2001:DB8::1" }, { ip: "2001:db8::1" }],
    [{ ip: "10.0.0.5/24" }, { ip: "10.0.0.0/24" }],
    [{ ip: "", door: "", kind: "" }, { ip: undefined, door: undefined, kind: undefined }],
    [{ user: " alice ", door: "SPA", kind: "spa" }, { user: "alice", door: "SPA", kind: "spa" }],
    [{ kind: "open", door: "openSSH" }, { kind: "open", door: "openSSH" }],
    [{ from: "2024-01-01T00:00:00Z", to: "1704153600000" }, { from: 1_704_067_200_000, to: 1_704_153_600_000 }],
  ])("accepts %j", (input, expected) => {
    expect(HistoryFilterSchema.parse(input)).toMatchObject(expected);
  });

  it.each([
    [{ ip: "10.0.0" }, { ip: "IP filter must be an address or a network such as 10.0.0.0/24." }],
    [{ ip: "10.0.0.0/40" }, { ip: "IP filter must be an address or a network such as 10.0.0.0/24." }],
    [{ kind: "party" }, { kind: expect.stringMatching(/^Event kind must be one of: stage, open, /) }],
    [{ user: "a".repeat(65) }, { user: "User filter must be at most 64 characters long." }],
    [{ from: "yesterday-ish" }, { from: "'From' must be a date." }],
    [{ from: 2000, to: 1000 }, { to: "'From' must not be later than 'To'." }],
    [{ page: 0 }, { page: "Page must be a whole number of at least 1." }],
    [{ pageSize: 5 }, { pageSize: "Page size must be a whole number from 10 to 500." }],
    [{ pageSize: "501" }, { pageSize: "Page size must be a whole number from 10 to 500." }],
  ])("rejects %j", (input, errors) => {
    expect(errorsOf(HistoryFilterSchema, input)).toEqual(errors);
  });
});

describe("LoginSchema and ChangePasswordSchema", () => {
  it.each([
    [LoginSchema, { password: "hunter2" }, {}],
    [LoginSchema, { password: "" }, { password: "Password is required." }],
    [LoginSchema, {}, { password: "Password is required." }],
    [LoginSchema, { password: "x".repeat(201) }, { password: "Password must be at most 200 characters long." }],
    [ChangePasswordSchema, { current: "old", next: "correct horse battery", confirm: "correct horse battery" }, {}],
    [ChangePasswordSchema, { current: "old", next: "short", confirm: "short" }, { next: "New password must be at least 12 characters long." }],
    [
      ChangePasswordSchema,
      { current: "old", next: "correct horse battery", confirm: "correct horse battery!" },
      { confirm: "The confirmation does not match the new password." },
    ],
    [
      ChangePasswordSchema,
      { current: "correct horse battery", next: "correct horse battery", confirm: "correct horse battery" },
      { next: "New password must differ from the current password." },
    ],
    [ChangePasswordSchema, { next: "correct horse battery", confirm: "correct horse battery" }, { current: "Current password is required." }],
  ])("%#", (schema, input, errors) => {
    expect(errorsOf(schema, input)).toEqual(errors);
  });
});

describe("door converters", () => {
  const inputs: DoorInput[] = [
    DoorInputSchema.parse(validDoor),
    DoorInputSchema.parse({
      ...validDoor,
      name: "closeSSH",
      steps: [{ port: 9000 }, { port: 8000 }, { port: 7000 }],
      tcpFlags: { set: ["syn"], clear: ["ack"] },
      target: "192.0.2.10",
      action: { kind: "close", doorName: "openSSH" },
      cooldownSec: 5,
      tolerateDuplicates: true,
    }),
    DoorInputSchema.parse({ ...validDoor, name: "closeAll", action: { kind: "close" }, enabled: false }),
    DoorInputSchema.parse({ ...validDoor, name: "banned1", steps: [{ port: 1220 }, { port: 1221 }], action: { kind: "ban", durationSec: 3600 } }),
  ];

  it.each(inputs.map((i) => [i.name, i] as const))("%s: input → row → door → input round-trips", (_n, input) => {
    const row = doorInputToRow(input);
    expect(row.source).toBe("ui");
    expect(row.commandSection).toBeNull();
    const door = doorRowToDoor({ ...row, id: 42 });
    expect(door.id).toBe("42");
    expect(door.seqTimeoutMs).toBe(input.seqTimeoutSec * 1000);
    expect(door.cooldownMs).toBe(input.cooldownSec * 1000);
    expect(doorToInput(door)).toEqual(JSON.parse(JSON.stringify(input)));
    expect(doorToRow(door)).toEqual(row);
  });

  it("maps an open door to its row columns", () => {
    expect(doorInputToRow(inputs[0]!)).toEqual({
      name: "openSSH",
      sequence: validDoor.steps,
      oneTimeSequences: null,
      oneTimeIndex: 0,
      seqTimeoutMs: 25_000,
      tcpFlags: { set: [], clear: [] },
      target: null,
      action: "open",
      openPorts: [{ port: 22, protocol: "tcp" }],
      durationSec: 300,
      closeDoorName: null,
      commandSection: null,
      commandPreview: null,
      cooldownMs: 0,
      tolerateDuplicates: false,
      enabled: true,
      source: "ui",
    });
  });

  const commandDoor: Door = {
    id: "opencloseSSH",
    name: "opencloseSSH",
    sequence: [{ port: 7000, protocol: "udp" }],
    seqTimeoutMs: 5000,
    tcpFlags: { set: ["syn"], clear: [] },
    action: { kind: "command", start: "/sbin/iptables -A INPUT -s %IP% -j ACCEPT", stop: "/sbin/iptables -D INPUT -s %IP% -j ACCEPT", cmdTimeoutSec: 30 },
    cooldownMs: 0,
    tolerateDuplicates: false,
    enabled: true,
  };

  it("never stores commands as something runnable, and resolves them from the config", () => {
    const row = doorToRow(commandDoor, "knockd-conf");
    expect(row).toMatchObject({ action: "command", commandSection: "opencloseSSH", durationSec: 30, source: "knockd-conf" });
    expect(row.commandPreview).toBe(
      "start_command = /sbin/iptables -A INPUT -s %IP% -j ACCEPT\nstop_command = /sbin/iptables -D INPUT -s %IP% -j ACCEPT\ncmd_timeout = 30",
    );
    expect(doorToInput(commandDoor)).toBeNull();
    const missing = doorRowToDoor({ ...row, id: 7 });
    expect(missing.enabled).toBe(false);
    expect(missing.action).toEqual({ kind: "command", start: "", cmdTimeoutSec: 30 });
    const found = doorRowToDoor({ ...row, id: 7 }, { commandFor: (s) => (s === "opencloseSSH" ? (commandDoor.action as never) : undefined) });
    expect(found).toEqual({ ...commandDoor, id: "7" });
  });

  it("takes a one-time door's active sequence from its list", () => {
    const seqs = [[{ port: 1, protocol: "tcp" as const }], [{ port: 2, protocol: "udp" as const }]];
    const row = { ...doorToRow({ ...commandDoor, oneTimeSequences: seqs, oneTimeIndex: 1, sequence: seqs[1]! }), id: 3 };
    expect(doorRowToDoor(row).sequence).toEqual(seqs[1]);
    expect(doorRowToDoor({ ...row, oneTimeIndex: 2 }).sequence).toEqual([]);
  });
});

describe("attempt cap bounded by memory", () => {
  const GiB = 2 ** 30;
  it.each([
    [0, 1000],
    [NaN, 1000],
    [1 * 2 ** 20, 1000],
    [512 * 2 ** 20, 335_000],
    [1 * GiB, 671_000],
    [2 * GiB, 1_342_000],
    [8 * GiB, 5_000_000],
    [64 * GiB, 5_000_000],
  ])("computeAttemptCapLimit(%d) = %d", (total, limit) => {
    expect(computeAttemptCapLimit(total)).toBe(limit);
    // the limit's attempts fit in the share (except the floor of 1000 on a tiny machine)
    if (limit > 1000 && limit < 5_000_000) expect(limit * BYTES_PER_PENDING_ATTEMPT).toBeLessThanOrEqual(total * ATTEMPT_MEMORY_SHARE);
  });

  it("the settings schema enforces the machine's limit with the figure in its message", () => {
    const schema = makeSettingsInputSchema({ attemptCapLimit: computeAttemptCapLimit(1 * GiB) });
    const valid = { interfaces: [], backend: "nftables", retentionDays: 30, syslog: false };
    expect(schema.parse({ ...valid, maxAttempts: 671_000 }).maxAttempts).toBe(671_000);
    expect(errorsOf(schema, { ...valid, maxAttempts: 671_001 })).toEqual({
      maxAttempts: "Maximum pending attempts must be a whole number from 1000 to 671000 (this machine's memory allows no more).",
    });
    expect(errorsOf(schema, { ...valid, maxAttempts: 5_000_000 })).toHaveProperty("maxAttempts");
  });

  it("describes the limit for the form", () => {
    expect(describeAttemptCapLimit(1 * GiB)).toBe("This machine's 1.0 GiB of memory allows at most 671000 pending attempts (400 B each, a quarter of memory).");
  });
});
