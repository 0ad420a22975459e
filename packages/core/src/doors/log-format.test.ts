import { describe, expect, it } from "vitest";
import {
  describeMatchEvent,
  formatCommandTimeout,
  formatLogFileLine,
  formatMatchEvent,
  formatRunningCommand,
  formatStartingUp,
} from "./log-format";
import type { MatchEvent } from "../types";

const events: [MatchEvent, string | null, string][] = [
  [{ kind: "stage", ip: "10.0.0.5", door: "openSSH", stage: 1, of: 3 }, "10.0.0.5: openSSH: Stage 1", "10.0.0.5 knocked step 1 of 3 on door openSSH."],
  [{ kind: "stage", ip: "2001:db8::5", door: "openSSH", stage: 2, of: 3 }, "2001:db8::5: openSSH: Stage 2", "2001:db8::5 knocked step 2 of 3 on door openSSH."],
  [{ kind: "open-sesame", ip: "10.0.0.5", door: "openSSH", family: 4 }, "10.0.0.5: openSSH: OPEN SESAME", "10.0.0.5 completed the sequence of door openSSH (IPv4)."],
  [
    { kind: "timeout", ip: "10.0.0.5", door: "openSSH", stage: 2 },
    "10.0.0.5: openSSH: sequence timeout (stage 2)",
    "10.0.0.5 ran out of time on door openSSH after step 2.",
  ],
  [
    { kind: "invalidated", ip: "10.0.0.5", door: "openSSH", stage: 1, port: 9000, protocol: "udp" },
    null,
    "10.0.0.5 knocked udp/9000 out of order after step 1 of door openSSH; the attempt was dropped.",
  ],
  [
    { kind: "duplicate", ip: "10.0.0.5", door: "openSSH", stage: 2 },
    null,
    "10.0.0.5 repeated the knock of step 2 on door openSSH; tolerated as a retransmission.",
  ],
  [{ kind: "cooldown", ip: "10.0.0.5", door: "openSSH" }, null, "10.0.0.5 knocked door openSSH again during its cooldown; ignored."],
  [
    { kind: "evicted", ip: "198.51.100.7", door: "openSSH", stage: 1 },
    null,
    "The pending attempt of 198.51.100.7 on door openSSH (step 1) was dropped to make room: too many attempts pending.",
  ],
  [
    { kind: "one-time-used", door: "opencloseSMTP", index: 0, exhausted: false },
    null,
    "Door opencloseSMTP used its one-time sequence #1; the next one is now active.",
  ],
  [
    { kind: "one-time-used", door: "opencloseSMTP", index: 4, exhausted: true },
    null,
    "Door opencloseSMTP used its one-time sequence #5; no sequence is left, so the door is inactive.",
  ],
];

describe("formatMatchEvent and describeMatchEvent", () => {
  it.each(events)("%j", (ev, knockd, human) => {
    expect(formatMatchEvent(ev)).toBe(knockd);
    expect(describeMatchEvent(ev)).toBe(human);
  });

  it("prints door names for database ids", () => {
    const names: Record<string, string> = { "12": "openSSH" };
    const nameOf = (id: string) => names[id] ?? id;
    expect(formatMatchEvent({ kind: "open-sesame", ip: "10.0.0.5", door: "12", family: 4 }, nameOf)).toBe("10.0.0.5: openSSH: OPEN SESAME");
    expect(describeMatchEvent({ kind: "cooldown", ip: "10.0.0.5", door: "12" }, nameOf)).toBe(
      "10.0.0.5 knocked door openSSH again during its cooldown; ignored.",
    );
  });
});

describe("knockd's other lines", () => {
  it.each([
    [formatStartingUp(["eth0"]), "starting up, listening on eth0"],
    [formatStartingUp(["eth0", "eth1"]), "starting up, listening on eth0,eth1"],
    [
      formatRunningCommand("opencloseSSH", "/sbin/iptables -A INPUT -s 192.168.44.250 -p tcp --dport 22 -j ACCEPT"),
      "opencloseSSH: running command: /sbin/iptables -A INPUT -s 192.168.44.250 -p tcp --dport 22 -j ACCEPT",
    ],
    [formatCommandTimeout("192.168.44.250", "opencloseSSH"), "192.168.44.250: opencloseSSH: command timeout"],
  ])("%s", (line, expected) => {
    expect(line).toBe(expected);
  });
});

describe("formatLogFileLine", () => {
  // Dates built from local fields, so the expected text holds in any time zone.
  it.each([
    [new Date(2008, 11, 28, 20, 16, 59), "192.168.44.250: opencloseSSH: Stage 1", "[2008-12-28 20:16] 192.168.44.250: opencloseSSH: Stage 1"],
    [new Date(2024, 0, 2, 3, 4, 5), "starting up, listening on eth0", "[2024-01-02 03:04] starting up, listening on eth0"],
    [new Date(1999, 9, 9, 0, 0), "shutting down", "[1999-10-09 00:00] shutting down"],
    [new Date(2024, 1, 29, 23, 59, 59, 999), "x", "[2024-02-29 23:59] x"],
  ])("%s", (date, msg, expected) => {
    expect(formatLogFileLine(date, msg)).toBe(expected);
  });

  it("matches the log excerpt of seed 004", () => {
    const at = new Date(2008, 11, 28, 20, 16);
    const lines = [
      formatMatchEvent({ kind: "stage", ip: "192.168.44.250", door: "opencloseSSH", stage: 1, of: 3 }),
      formatMatchEvent({ kind: "stage", ip: "192.168.44.250", door: "opencloseSSH", stage: 2, of: 3 }),
      formatMatchEvent({ kind: "stage", ip: "192.168.44.250", door: "opencloseSSH", stage: 3, of: 3 }),
      formatMatchEvent({ kind: "open-sesame", ip: "192.168.44.250", door: "opencloseSSH", family: 4 }),
      formatRunningCommand("opencloseSSH", "/sbin/iptables -A INPUT -s 192.168.44.250 -p tcp --dport 22 -j ACCEPT"),
    ].map((m) => formatLogFileLine(at, m as string));
    expect(lines.join("\n")).toBe(
      [
        "[2008-12-28 20:16] 192.168.44.250: opencloseSSH: Stage 1",
        "[2008-12-28 20:16] 192.168.44.250: opencloseSSH: Stage 2",
        "[2008-12-28 20:16] 192.168.44.250: opencloseSSH: Stage 3",
        "[2008-12-28 20:16] 192.168.44.250: opencloseSSH: OPEN SESAME",
        "[2008-12-28 20:16] opencloseSSH: running command: /sbin/iptables -A INPUT -s 192.168.44.250 -p tcp --dport 22 -j ACCEPT",
      ].join("\n"),
    );
  });
});
