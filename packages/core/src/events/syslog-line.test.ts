import { describe, expect, it } from "vitest";
import { formatSyslogEvent } from "./syslog-line";

describe("formatSyslogEvent", () => {
  it.each([
    [
      "an open with its ports and duration",
      { kind: "open", ip: "10.0.0.5", doorName: "ssh", detail: JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }], durationSec: 300, refreshed: false }) },
      "event=open door=ssh ip=10.0.0.5 ports=tcp/22,udp/53 duration=300",
    ],
    ["a ban", { kind: "ban", ip: "fd00::9", doorName: "decoy", detail: JSON.stringify({ durationSec: 3600 }) }, "event=ban door=decoy ip=fd00::9 duration=3600"],
    ["a stage (its detail: stage of stages)", { kind: "stage", ip: "10.0.0.5", doorName: "ssh", stage: 2, detail: "2/3" }, "event=stage door=ssh ip=10.0.0.5 stage=2 detail=2/3"],
    ["a user (SPA)", { kind: "spa-accepted", ip: "10.0.0.7", userName: "alice", doorName: null }, "event=spa-accepted user=alice ip=10.0.0.7"],
    ["a text detail", { kind: "revoke", ip: "10.0.0.5", doorName: "ssh", detail: "revoked" }, "event=revoke door=ssh ip=10.0.0.5 detail=revoked"],
    [
      "values with spaces, quotes, = and line breaks stay one field on one line",
      { kind: "error", doorName: 'my "door"', detail: "firewall: x=1 failed\nnext line" },
      'event=error door="my \\"door\\"" detail="firewall: x=1 failednext line"',
    ],
    ["a JSON detail that is not an object", { kind: "worker", detail: "[1,2]" }, "event=worker detail=[1,2]"],
  ])("%s", (_name, input, want) => {
    expect(formatSyslogEvent(input)).toBe(want);
  });
});
