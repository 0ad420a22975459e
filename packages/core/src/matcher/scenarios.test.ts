/**
 * Real knockd configurations from the seeds (shared/seeds) and config reloads.
 */
import { describe, expect, it } from "vitest";
import { CLIENT, SYN_ACK, createHarness, door } from "@sesame/testkit/fixtures";
import type { ScriptLine } from "@sesame/testkit/fixtures";
import type { Door } from "../types";

const C = CLIENT;
const SCANNER = "203.0.113.66";
const SYN_ONLY = { set: ["syn" as const], clear: [] };

/** Debian's default knockd.conf (seed 003): openSSH 7000,8000,9000 (15 s) / closeSSH 9000,8000,7000 (5 s), tcpflags=syn. */
const debianDefault: Door[] = [
  door("openSSH", "7000,8000,9000", { seqTimeoutMs: 15_000, tcpFlags: SYN_ONLY }),
  door("closeSSH", "9000,8000,7000", { seqTimeoutMs: 5_000, tcpFlags: SYN_ONLY, action: { kind: "close" } }),
];

/** Seed 002 (Mathrice, a real site): 1228,1227 opens; five decoy doors ban whoever sweeps nearby ports. */
const mathrice: Door[] = [
  door("opencloseSSH", "1228,1227", { seqTimeoutMs: 15_000, tcpFlags: SYN_ONLY }),
  ...[
    ["banned1", "1220,1221"],
    ["banned2", "1224,1225"],
    ["banned3", "1226,1226"],
    ["banned4", "1223,1224"],
    ["banned5", "1222,1222"],
  ].map(([id, s]) => door(id ?? "", s ?? "", { seqTimeoutMs: 15_000, tcpFlags: SYN_ONLY, action: { kind: "ban", durationSec: 3600 } })),
];

/** Seed 000: 6666,7532,9123 / 9123,7532,6666 with seq_timeout = 5. */
const debianWorld: Door[] = [
  door("openSSH", "6666,7532,9123", { seqTimeoutMs: 5_000, tcpFlags: SYN_ONLY }),
  door("closeSSH", "9123,7532,6666", { seqTimeoutMs: 5_000, tcpFlags: SYN_ONLY }),
];

describe("knockd sample configurations", () => {
  it.each<{ name: string; doors: Door[]; lines: ScriptLine[] }>([
    {
      name: "Debian default: open then close (the last knock of each also starts the other door, as in knockd)",
      doors: debianDefault,
      lines: [
        { t: 0, knock: "7000", expect: [`${C} openSSH stage 1/3`] },
        { t: 100, knock: "8000", expect: [`${C} openSSH stage 2/3`] },
        { t: 200, knock: "9000", expect: [`${C} openSSH stage 3/3`, `${C} openSSH OPEN v4`, `${C} closeSSH stage 1/3`] },
        { t: 60_000, knock: "9000", expect: [`${C} closeSSH timeout 1`, `${C} closeSSH stage 1/3`] },
        { t: 60_100, knock: "8000", expect: [`${C} closeSSH stage 2/3`] },
        { t: 60_200, knock: "7000", expect: [`${C} closeSSH stage 3/3`, `${C} closeSSH OPEN v4`, `${C} openSSH stage 1/3`] },
        { t: 75_200, expire: true, expect: [`${C} openSSH timeout 1`] },
      ],
    },
    {
      name: "Debian default (tcpflags=syn): a SYN-ACK counts (syn is set), a bare ACK is ignored",
      doors: debianDefault,
      lines: [
        { knock: "7000", flags: SYN_ACK, expect: [`${C} openSSH stage 1/3`] },
        { knock: "8000", flags: 0x10, expect: [] },
        { knock: "8000", expect: [`${C} openSSH stage 2/3`] },
      ],
    },
    {
      name: "Mathrice: the real user opens with 1228,1227",
      doors: mathrice,
      lines: [
        { knock: "1228", expect: [`${C} opencloseSSH stage 1/2`] },
        { knock: "22", expect: [] },
        { knock: "1227", expect: [`${C} opencloseSSH stage 2/2`, `${C} opencloseSSH OPEN v4`] },
      ],
    },
    {
      name: "Mathrice: a sequential port sweep completes decoys, and the real door is never opened",
      doors: mathrice,
      lines: [
        { knock: "1219", src: SCANNER, expect: [] },
        { knock: "1220", src: SCANNER, expect: [`${SCANNER} banned1 stage 1/2`] },
        { knock: "1221", src: SCANNER, expect: [`${SCANNER} banned1 stage 2/2`, `${SCANNER} banned1 OPEN v4`] },
        { knock: "1222", src: SCANNER, expect: [`${SCANNER} banned5 stage 1/2`] },
        { knock: "1223", src: SCANNER, expect: [`${SCANNER} banned5 invalid 1 tcp:1223`, `${SCANNER} banned4 stage 1/2`] },
        { knock: "1224", src: SCANNER, expect: [`${SCANNER} banned4 stage 2/2`, `${SCANNER} banned4 OPEN v4`, `${SCANNER} banned2 stage 1/2`] },
        { knock: "1225", src: SCANNER, expect: [`${SCANNER} banned2 stage 2/2`, `${SCANNER} banned2 OPEN v4`] },
        { knock: "1226", src: SCANNER, expect: [`${SCANNER} banned3 stage 1/2`] },
        { knock: "1227", src: SCANNER, expect: [`${SCANNER} banned3 invalid 1 tcp:1227`] },
        { knock: "1228", src: SCANNER, expect: [`${SCANNER} opencloseSSH stage 1/2`] },
        { knock: "1229", src: SCANNER, expect: [] },
      ],
    },
    {
      name: "Mathrice: doubled-port decoys (1226,1226 and 1222,1222) fire",
      doors: mathrice,
      lines: [
        { knock: "1226", src: SCANNER, expect: [`${SCANNER} banned3 stage 1/2`] },
        { knock: "1226", src: SCANNER, expect: [`${SCANNER} banned3 stage 2/2`, `${SCANNER} banned3 OPEN v4`] },
        { knock: "1222", src: SCANNER, expect: [`${SCANNER} banned5 stage 1/2`] },
        { knock: "1222", src: SCANNER, expect: [`${SCANNER} banned5 stage 2/2`, `${SCANNER} banned5 OPEN v4`] },
      ],
    },
    {
      name: "Mathrice: a wrong-order attempt (1227,1228) does not open",
      doors: mathrice,
      lines: [
        { knock: "1227", expect: [] },
        { knock: "1228", expect: [`${C} opencloseSSH stage 1/2`] },
      ],
    },
    {
      name: "debianworld: seq_timeout 5 s, a slow knocker times out, a quick one opens",
      doors: debianWorld,
      lines: [
        { t: 0, knock: "6666", expect: [`${C} openSSH stage 1/3`] },
        { t: 3_000, knock: "7532", expect: [`${C} openSSH stage 2/3`] },
        { t: 5_000, expire: true, expect: [`${C} openSSH timeout 2`] },
        { t: 6_000, knock: "9123", expect: [`${C} closeSSH stage 1/3`] },
        { t: 10_000, knock: "6666", expect: [`${C} closeSSH invalid 1 tcp:6666`, `${C} openSSH stage 1/3`] },
        { t: 11_000, knock: "7532", expect: [`${C} openSSH stage 2/3`] },
        { t: 12_000, knock: "9123", expect: [`${C} openSSH stage 3/3`, `${C} openSSH OPEN v4`, `${C} closeSSH stage 1/3`] },
      ],
    },
  ])("$name", ({ doors, lines }) => {
    const h = createHarness(doors);
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
  });
});

describe("setDoors", () => {
  const base = door("a", "7000,8000,9000", { tcpFlags: SYN_ONLY });
  const sibling = door("b", "6000,5000");

  it.each<{ name: string; change: Partial<Door>; kept: boolean }>([
    { name: "new name, action, cooldown and duplicate tolerance keep the attempt", change: { name: "renamed", action: { kind: "ban", durationSec: 5 }, cooldownMs: 9, tolerateDuplicates: true }, kept: true },
    { name: "an equal sequence given as a new array keeps it", change: { sequence: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "tcp" }, { port: 9000, protocol: "tcp" }] }, kept: true },
    { name: "a changed sequence drops it", change: { sequence: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "tcp" }, { port: 9000, protocol: "udp" }] }, kept: false },
    { name: "changed TCP flags drop it", change: { tcpFlags: { set: ["syn"], clear: ["ack"] } }, kept: false },
    { name: "a changed timeout drops it", change: { seqTimeoutMs: 30_000 }, kept: false },
    { name: "a new target drops it", change: { target: "10.0.0.1" }, kept: false },
    { name: "disabling drops it", change: { enabled: false }, kept: false },
  ])("$name", ({ change, kept }) => {
    const h = createHarness([base, sibling]);
    h.play([
      { t: 0, knock: "7000", expect: [] },
      { t: 1, knock: "8000", expect: [] },
      { t: 2, knock: "6000", src: SCANNER, expect: [] },
    ]);
    h.matcher.setDoors([{ ...base, ...change }, { ...sibling }]);
    expect(h.matcher.stats().pending).toBe(kept ? 2 : 1);
    const expected = kept ? [`${C} a stage 3/3`, `${C} a OPEN v4`] : [];
    expect(h.play([{ t: 3, knock: "9000", expect: [] }])).toEqual([expected]);
    // The unchanged sibling's attempt always survives.
    expect(h.play([{ t: 4, knock: "5000", src: SCANNER, expect: [] }])).toEqual([[`${SCANNER} b stage 2/2`, `${SCANNER} b OPEN v4`]]);
  });

  it("removing a door drops its attempts and unwatches its ports; adding one watches them", () => {
    const h = createHarness([base, sibling]);
    h.play([{ knock: "7000", expect: [] }]);
    h.matcher.setDoors([sibling, door("c", "4000:udp,4001")]);
    expect(h.matcher.stats().pending).toBe(0);
    expect(h.matcher.isWatched("tcp", 7000)).toBe(false);
    expect(h.matcher.isWatched("udp", 4000)).toBe(true);
    expect(h.matcher.nextDeadline()).toBeUndefined();
  });

  it("cooldowns survive a reload of the same door id", () => {
    const h = createHarness([door("a", "7000,8000", { cooldownMs: 60_000 })]);
    h.play([{ t: 0, knock: "7000", expect: [] }, { t: 1, knock: "8000", expect: [] }]);
    h.matcher.setDoors([door("a", "7000,6000", { cooldownMs: 60_000 })]);
    expect(h.play([{ t: 2, knock: "7000", expect: [] }])).toEqual([[`${C} a cooldown`]]);
  });
});
