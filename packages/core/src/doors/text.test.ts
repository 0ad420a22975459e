import { describe, expect, it } from "vitest";
import { knockCommandFor, weakSequenceWarnings } from "./text";
import type { Door, Step } from "../types";

const tcp = (port: number): Step => ({ port, protocol: "tcp" });
const udp = (port: number): Step => ({ port, protocol: "udp" });

function door(name: string, sequence: Step[], extra: Partial<Door> = {}): Door {
  return {
    id: name,
    name,
    sequence,
    seqTimeoutMs: 25_000,
    tcpFlags: { set: [], clear: [] },
    action: { kind: "close" },
    cooldownMs: 0,
    tolerateDuplicates: false,
    enabled: true,
    ...extra,
  };
}

describe("knockCommandFor", () => {
  it.each<[Step[], string, { delayMs?: number }, string]>([
    [[tcp(7000), udp(8000), tcp(9000)], "server.example.org", {}, "knock server.example.org 7000 8000:udp 9000"],
    [[udp(7000), tcp(8000), udp(9000)], "192.168.44.29", {}, "knock 192.168.44.29 7000:udp 8000 9000:udp"], // seed 004
    [[tcp(1228), tcp(1227)], "ssh.maths.fr", { delayMs: 200 }, "knock -d 200 ssh.maths.fr 1228 1227"],
    [[tcp(7000)], "2001:db8::1", {}, "knock -6 2001:db8::1 7000"],
    [[tcp(7000)], "evil; rm -rf /", {}, "knock 'evil; rm -rf /' 7000"],
    [[tcp(7000)], "it's", {}, "knock 'it'\\''s' 7000"],
    [[], "host", {}, "# door d has no active knock sequence"],
  ])("%j to %s", (sequence, host, opts, expected) => {
    expect(knockCommandFor(door("d", sequence), host, opts)).toBe(expected);
  });
});

const openSSH = door("openSSH", [tcp(7000), tcp(8000), tcp(9000)], {
  action: { kind: "open", ports: [tcp(22)], durationSec: 300 },
});

describe("weakSequenceWarnings", () => {
  it.each<[string, Door, Door[], Step[], string[]]>([
    ["a strong sequence", door("good", [tcp(41234), udp(8123), tcp(30555), tcp(2093)]), [], [], []],
    [
      "knockd's example sequence (seed 003)",
      door("openSSH", [tcp(7000), tcp(8000), tcp(9000)]),
      [],
      [],
      [
        "This is the example sequence from knockd's documentation; scanners try it first.",
        "The ports go up in order: an ascending port scan (such as nmap -r) knocks them in this order.",
        "Knocks 1 to 3 (7000, 8000, 9000) change by +1000 each time; such patterns are easy to guess.",
      ],
    ],
    [
      "seed 002's two adjacent ports",
      door("opencloseSSH", [tcp(1228), tcp(1227)]),
      [],
      [],
      [
        "The sequence has only 2 knocks; use at least 3 so it cannot be hit by chance.",
        "The ports go down in order: a descending port scan knocks them in this order.",
      ],
    ],
    [
      "seed 002's doubled decoy",
      door("banned3", [tcp(1226), tcp(1226)]),
      [],
      [],
      ["The sequence has only 2 knocks; use at least 3 so it cannot be hit by chance.", "Every knock is tcp/1226: a single repeated port is easy to guess."],
    ],
    [
      "a regular run inside a longer sequence",
      door("d", [tcp(5000), tcp(31000), tcp(31010), tcp(31020), tcp(31030), udp(12)]),
      [],
      [],
      ["Knocks 2 to 5 (31000, 31010, 31020, 31030) change by +10 each time; such patterns are easy to guess."],
    ],
    [
      "a descending run",
      door("d", [udp(900), udp(800), udp(700), tcp(5)]),
      [],
      [],
      ["Knocks 1 to 3 (900, 800, 700) change by -100 each time; such patterns are easy to guess."],
    ],
    [
      "a single UDP knock without cooldown",
      door("wol", [udp(9)]),
      [],
      [],
      [
        "The sequence has only 1 knock; use at least 3 so it cannot be hit by chance.",
        "A single UDP knock with no cooldown fires on every matching packet; set a cooldown.",
      ],
    ],
    [
      "a knock on a listening service",
      door("d", [tcp(41234), tcp(22), tcp(3000), tcp(22)]),
      [],
      [tcp(22), udp(53)],
      ["Knock 2 (tcp/22) is a port where a service listens: ordinary connections to it will advance or break knocks."],
    ],
    [
      "a knock on a protected port",
      door("d", [tcp(41234), udp(8123), tcp(22)]),
      [openSSH],
      [],
      ["Knock 3 (tcp/22) is a port Sesame protects for door openSSH: every connection to that service also counts as a knock."],
    ],
    [
      "a protected port of a disabled door does not count",
      door("d", [tcp(41234), udp(8123), tcp(22)]),
      [{ ...openSSH, enabled: false }],
      [],
      [],
    ],
    [
      "the same first knock as another door",
      door("d", [tcp(7000), udp(8123), tcp(2222)]),
      [openSSH],
      [],
      ["Its first knock (tcp/7000) is also the first knock of door openSSH: both attempts start together."],
    ],
    [
      "exactly another door's sequence",
      door("copy", [tcp(41234), udp(8123), tcp(30555)]),
      [door("orig", [tcp(41234), udp(8123), tcp(30555)])],
      [],
      ["Door orig has exactly the same sequence: one knock would fire both doors."],
    ],
    [
      "a prefix of another door's sequence",
      door("short", [tcp(41234), udp(8123), tcp(30555)]),
      [door("long", [tcp(41234), udp(8123), tcp(30555), tcp(1)])],
      [],
      ["Door long's sequence starts with this whole sequence: knocking long also fires this door."],
    ],
    [
      "another door's sequence as a prefix",
      door("long", [tcp(41234), udp(8123), tcp(30555), tcp(1)]),
      [door("short", [tcp(41234), udp(8123), tcp(30555)])],
      [],
      ["This sequence starts with door short's whole sequence: knocking this door also fires short."],
    ],
    [
      "itself among the other doors is ignored",
      door("good", [tcp(41234), udp(8123), tcp(30555)]),
      [door("good", [tcp(41234), udp(8123), tcp(30555)])],
      [],
      [],
    ],
    [
      "a repeated knock with duplicate tolerance",
      door("d", [tcp(41234), tcp(30555), tcp(30555), udp(8123)], { tolerateDuplicates: true }),
      [],
      [],
      ["Knocks 2 and 3 are both tcp/30555 while duplicate tolerance is on: a retransmitted packet counts as the second knock."],
    ],
    [
      "all the same port with duplicate tolerance",
      door("d", [tcp(4000), tcp(4000), tcp(4000)], { tolerateDuplicates: true }),
      [],
      [],
      [
        "Every knock is tcp/4000: a single repeated port is easy to guess.",
        "Duplicate tolerance is on and every knock is the same port: retransmitted packets alone can complete the sequence.",
      ],
    ],
    ["an exhausted one-time door", door("otp", []), [], [], ["The door has no active knock sequence, so it can never open."]],
  ])("%s", (_label, d, otherDoors, listeningPorts, expected) => {
    expect(weakSequenceWarnings(d, { otherDoors, listeningPorts })).toEqual(expected);
  });
});
