import { describe, expect, it } from "vitest";
import { decideActions } from "./actions";
import type { Decision } from "./actions";
import { door } from "@sesame/testkit/fixtures";
import type { Door, DoorAction } from "../types";

const IP4 = "198.51.100.7";
const IP6 = "2001:db8::7";
const TRUSTED = "10.1.2.3";
const BANNED = "203.0.113.66";

const ctx = {
  isTrusted: (ip: string) => ip === TRUSTED,
  isBanned: (ip: string) => ip === BANNED,
};

function withAction(action: DoorAction): Door {
  return door("d1", "7000,8000", { name: "openSSH", action });
}

const knockdCommand: DoorAction = {
  kind: "command",
  start: "/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT # %IP%",
  stop: "/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
  cmdTimeoutSec: 10,
};

describe("decideActions", () => {
  it.each<{ name: string; action: DoorAction; ip: string; family: 4 | 6; expected: Decision[] }>([
    {
      name: "open grants the ports for the duration",
      action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }, { port: 1194, protocol: "udp" }], durationSec: 300 },
      ip: IP4,
      family: 4,
      expected: [{ kind: "grant", ip: IP4, family: 4, door: "d1", ports: [{ port: 22, protocol: "tcp" }, { port: 1194, protocol: "udp" }], durationSec: 300 }],
    },
    {
      name: "open from IPv6 grants for IPv6",
      action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 },
      ip: IP6,
      family: 6,
      expected: [{ kind: "grant", ip: IP6, family: 6, door: "d1", ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 }],
    },
    {
      name: "open by a banned address is ignored",
      action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 },
      ip: BANNED,
      family: 4,
      expected: [{ kind: "ignore-banned", ip: BANNED, door: "d1" }],
    },
    {
      name: "open from a trusted address grants like any other",
      action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 },
      ip: TRUSTED,
      family: 4,
      expected: [{ kind: "grant", ip: TRUSTED, family: 4, door: "d1", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 }],
    },
    {
      name: "close revokes everything of the knocker",
      action: { kind: "close" },
      ip: IP4,
      family: 4,
      expected: [{ kind: "revoke", ip: IP4, door: "d1" }],
    },
    {
      name: "close with a door name revokes only that door's grants",
      action: { kind: "close", doorName: "openSSH" },
      ip: IP4,
      family: 4,
      expected: [{ kind: "revoke", ip: IP4, door: "d1", onlyDoor: "openSSH" }],
    },
    {
      name: "close by a banned address still revokes",
      action: { kind: "close" },
      ip: BANNED,
      family: 4,
      expected: [{ kind: "revoke", ip: BANNED, door: "d1" }],
    },
    {
      name: "ban bans the knocker",
      action: { kind: "ban", durationSec: 3600 },
      ip: IP6,
      family: 6,
      expected: [{ kind: "ban", ip: IP6, family: 6, door: "d1", durationSec: 3600 }],
    },
    {
      name: "ban never bans a trusted address",
      action: { kind: "ban", durationSec: 3600 },
      ip: TRUSTED,
      family: 4,
      expected: [{ kind: "skip-trusted", ip: TRUSTED, door: "d1" }],
    },
    {
      name: "command substitutes every %IP% and schedules the stop",
      action: knockdCommand,
      ip: IP4,
      family: 4,
      expected: [
        {
          kind: "command",
          ip: IP4,
          family: 4,
          door: "d1",
          start: `/sbin/iptables -A INPUT -s ${IP4} -p tcp --dport 22 -j ACCEPT # ${IP4}`,
          stop: `/sbin/iptables -D INPUT -s ${IP4} -p tcp --dport 22 -j ACCEPT`,
          stopAfterSec: 10,
        },
      ],
    },
    {
      name: "command from IPv6 without *_6 variants falls back to the IPv4 commands",
      action: knockdCommand,
      ip: IP6,
      family: 6,
      expected: [
        {
          kind: "command",
          ip: IP6,
          family: 6,
          door: "d1",
          start: `/sbin/iptables -A INPUT -s ${IP6} -p tcp --dport 22 -j ACCEPT # ${IP6}`,
          stop: `/sbin/iptables -D INPUT -s ${IP6} -p tcp --dport 22 -j ACCEPT`,
          stopAfterSec: 10,
        },
      ],
    },
    {
      name: "command from IPv6 uses Start_Command_6 / Stop_Command_6",
      action: { ...knockdCommand, start6: "ip6tables -A INPUT -s %IP% -j ACCEPT", stop6: "ip6tables -D INPUT -s %IP% -j ACCEPT" },
      ip: IP6,
      family: 6,
      expected: [
        { kind: "command", ip: IP6, family: 6, door: "d1", start: `ip6tables -A INPUT -s ${IP6} -j ACCEPT`, stop: `ip6tables -D INPUT -s ${IP6} -j ACCEPT`, stopAfterSec: 10 },
      ],
    },
    {
      name: "command from IPv4 ignores the *_6 variants",
      action: { ...knockdCommand, start: "start %IP%", stop: "stop %IP%", start6: "start6 %IP%", stop6: "stop6 %IP%" },
      ip: IP4,
      family: 4,
      expected: [{ kind: "command", ip: IP4, family: 4, door: "d1", start: `start ${IP4}`, stop: `stop ${IP4}`, stopAfterSec: 10 }],
    },
    {
      name: "command without a stop command has no stop",
      action: { kind: "command", start: "/usr/local/bin/notify %IP%", cmdTimeoutSec: 10 },
      ip: IP4,
      family: 4,
      expected: [{ kind: "command", ip: IP4, family: 4, door: "d1", start: `/usr/local/bin/notify ${IP4}`, stopAfterSec: 10 }],
    },
    {
      name: "command from IPv6 with only Stop_Command_6 uses it",
      action: { kind: "command", start: "s %IP%", stop6: "x6 %IP%", cmdTimeoutSec: 25 },
      ip: IP6,
      family: 6,
      expected: [{ kind: "command", ip: IP6, family: 6, door: "d1", start: `s ${IP6}`, stop: `x6 ${IP6}`, stopAfterSec: 25 }],
    },
    {
      name: "command from IPv6 with an empty Start_Command_6 runs nothing",
      action: { kind: "command", start: "s %IP%", start6: "", stop: "x %IP%", cmdTimeoutSec: 10 },
      ip: IP6,
      family: 6,
      expected: [],
    },
    {
      name: "command runs as knockd would, banned or not (knockd has no bans)",
      action: { kind: "command", start: "s %IP%", cmdTimeoutSec: 10 },
      ip: BANNED,
      family: 4,
      expected: [{ kind: "command", ip: BANNED, family: 4, door: "d1", start: `s ${BANNED}`, stopAfterSec: 10 }],
    },
    {
      name: "a command with regex-like text around %IP% is substituted literally",
      action: { kind: "command", start: "echo $& %IP%$1 %ip%", cmdTimeoutSec: 10 },
      ip: IP4,
      family: 4,
      expected: [{ kind: "command", ip: IP4, family: 4, door: "d1", start: `echo $& ${IP4}$1 %ip%`, stopAfterSec: 10 }],
    },
  ])("$name", ({ action, ip, family, expected }) => {
    expect(decideActions({ ip, family, door: withAction(action) }, ctx)).toEqual(expected);
  });

  it("grant ports are a copy (later door edits do not change a decision)", () => {
    const d = withAction({ kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 });
    const [decision] = decideActions({ ip: IP4, family: 4, door: d }, ctx);
    if (d.action.kind === "open") (d.action.ports[0] as { port: number }).port = 2222;
    expect(decision).toMatchObject({ kind: "grant", ports: [{ port: 22, protocol: "tcp" }] });
  });
});
