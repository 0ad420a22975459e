/**
 * One test (or table) per knockd defect listed in shared/knockd-notes.md,
 * showing Sesame's matcher does not have it. The per-packet cost defect has
 * its own file (matcher-perf.test.ts).
 */
import { describe, expect, it } from "vitest";
import { CLIENT, HOST6, createHarness, door, seq } from "@sesame/testkit/fixtures";
import type { ScriptLine } from "@sesame/testkit/fixtures";

const C = CLIENT;
const SCANNER = "203.0.113.66";
const USER2 = "198.51.100.7";
const V6 = "2001:db8::7";

describe("knockd defect 1: removing the oldest attempt drops every pending attempt", () => {
  it.each<{ name: string; maxAttempts?: number; lines: ScriptLine[] }>([
    {
      name: "a stale scanner attempt timing out leaves the user's attempt alone",
      lines: [
        { t: 0, knock: "7000", src: SCANNER, expect: [`${SCANNER} a stage 1/3`] },
        { t: 20_000, knock: "7000", expect: [`${C} a stage 1/3`] },
        { t: 25_000, expire: true, expect: [`${SCANNER} a timeout 1`] },
        { t: 26_000, knock: "8000", expect: [`${C} a stage 2/3`] },
        { t: 27_000, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
      ],
    },
    {
      name: "the oldest attempt completing leaves other IPs' attempts alone",
      lines: [
        { t: 0, knock: "7000", expect: [`${C} a stage 1/3`] },
        { t: 1, knock: "7000", src: USER2, expect: [`${USER2} a stage 1/3`] },
        { t: 2, knock: "8000", expect: [`${C} a stage 2/3`] },
        { t: 3, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
        { t: 4, knock: "8000", src: USER2, expect: [`${USER2} a stage 2/3`] },
        { t: 5, knock: "9000", src: USER2, expect: [`${USER2} a stage 3/3`, `${USER2} a OPEN v4`] },
      ],
    },
    {
      name: "evicting the oldest attempt at the cap leaves every other attempt alone",
      maxAttempts: 2,
      lines: [
        { t: 0, knock: "7000", src: SCANNER, expect: [`${SCANNER} a stage 1/3`] },
        { t: 1, knock: "7000", expect: [`${C} a stage 1/3`] },
        { t: 2, knock: "7000", src: USER2, expect: [`${USER2} a stage 1/3`] }, // evicts SCANNER, silently
        { t: 3, knock: "8000", expect: [`${C} a stage 2/3`] },
        { t: 4, knock: "8000", src: USER2, expect: [`${USER2} a stage 2/3`] },
        { t: 5, knock: "8000", src: SCANNER, expect: [] },
        { t: 6, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
        { t: 7, knock: "9000", src: USER2, expect: [`${USER2} a stage 3/3`, `${USER2} a OPEN v4`] },
      ],
    },
  ])("$name", ({ maxAttempts, lines }) => {
    const h = createHarness([door("a", "7000,8000,9000")], maxAttempts === undefined ? {} : { maxAttempts });
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
  });

  it("at the cap evicts the oldest stage-1 attempt before any advanced one, else the oldest", () => {
    const h = createHarness([door("a", "7000,8000,9000"), door("b", "6000,5000,4000", { seqTimeoutMs: 60_000 })], { maxAttempts: 3 });
    const ips = ["10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"];
    const [u1, u2, s1, s2, s3, u3] = ips as [string, string, string, string, string, string];
    h.play([
      { t: 0, knock: "7000", src: u1, expect: [] },
      { t: 1, knock: "6000", src: u2, expect: [] },
      { t: 2, knock: "5000", src: u2, expect: [] }, // u2 at stage 2 of b
      { t: 3, knock: "8000", src: u1, expect: [] }, // u1 at stage 2 of a
      { t: 4, knock: "7000", src: s1, expect: [] }, // cap reached: 3 pending
      { t: 5, knock: "7000", src: s2, expect: [] }, // evicts s1 (the only stage-1)
      { t: 6, knock: "6000", src: s3, expect: [] }, // evicts s2
    ]);
    expect(h.matcher.stats()).toMatchObject({ pending: 3, evicted: 2 });
    // Survivors answer; the evicted ones start over (first port) or are not found (later port).
    expect(h.play([{ t: 7, knock: "8000", src: s1, expect: [] }])).toEqual([[]]);
    expect(h.play([{ t: 7, knock: "8000", src: s2, expect: [] }])).toEqual([[]]);
    // s3 is the only stage-1 attempt left: it is evicted next, not u1/u2.
    expect(h.play([{ t: 8, knock: "7000", src: u3, expect: [] }])).toEqual([[`${u3} a stage 1/3`]]);
    expect(h.play([{ t: 9, knock: "5000", src: s3, expect: [] }])).toEqual([[]]);
    // With every pending attempt advanced (u1 t=0, u2 t=1, u3 t=8), the oldest overall (u1) goes.
    expect(h.play([{ t: 10, knock: "8000", src: u3, expect: [] }])).toEqual([[`${u3} a stage 2/3`]]);
    expect(h.play([{ t: 11, knock: "6000", src: s1, expect: [] }])).toEqual([[`${s1} b stage 1/3`]]);
    expect(h.play([{ t: 12, knock: "9000", src: u1, expect: [] }])).toEqual([[]]);
    expect(h.play([{ t: 13, knock: "4000", src: u2, expect: [] }])).toEqual([[`${u2} b stage 3/3`, `${u2} b OPEN v4`]]);
    expect(h.play([{ t: 14, knock: "9000", src: u3, expect: [] }])).toEqual([[`${u3} a stage 3/3`, `${u3} a OPEN v4`]]);
    expect(h.matcher.stats()).toMatchObject({ evicted: 4 });
  });
});

describe("knockd defect 2: timeouts are only checked when a packet arrives", () => {
  it("expire() fires the timeout with no packet, at nextDeadline()", () => {
    const h = createHarness([door("a", "7000,8000,9000", { seqTimeoutMs: 15_000 })]);
    h.play([
      { t: 1_000, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 2_000, knock: "8000", expect: [`${C} a stage 2/3`] },
    ]);
    expect(h.matcher.nextDeadline()).toBe(16_000);
    h.clock.t = 16_000;
    expect(h.play([{ expire: true, expect: [] }])).toEqual([[`${C} a timeout 2`]]);
    expect(h.matcher.stats()).toMatchObject({ pending: 0, timeouts: 1 });
    expect(h.matcher.nextDeadline()).toBeUndefined();
  });
});

describe("knockd defect 3: One_Time_Sequences", () => {
  const oneTime = () =>
    door("ot", "1000,2000", { oneTimeSequences: [seq("1000,2000"), seq("3000,4000:udp")], oneTimeIndex: 0 });

  it("a used sequence is never accepted twice, IPv6 advances the same list, exhaustion does not throw", () => {
    const h = createHarness([oneTime()]);
    const lines: ScriptLine[] = [
      { knock: "1000", expect: [`${C} ot stage 1/2`] },
      { knock: "1000", src: USER2, expect: [`${USER2} ot stage 1/2`] },
      { knock: "2000", expect: [`${C} ot stage 2/2`, `${C} ot OPEN v4`, "ot one-time 0"] },
      // USER2 was mid-way on the used sequence: dropped, 2000 is no longer watched.
      { knock: "2000", src: USER2, expect: [] },
      { knock: "1000", expect: [] },
      { knock: "2000", expect: [] },
      { knock: "3000", src: V6, dst: HOST6, expect: [`${V6} ot stage 1/2`] },
      { knock: "4000:udp", src: V6, dst: HOST6, expect: [`${V6} ot stage 2/2`, `${V6} ot OPEN v6`, "ot one-time 1 exhausted"] },
      { knock: "3000", src: V6, dst: HOST6, expect: [] },
      { knock: "1000", expect: [] },
    ];
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
    expect(h.matcher.isWatched("tcp", 1000)).toBe(false);
    expect(h.matcher.stats().pending).toBe(0);
  });

  it("setDoors with a stale oneTimeIndex does not resurrect a used sequence", () => {
    const h = createHarness([oneTime()]);
    h.play([{ knock: "1000", expect: [] }, { knock: "2000", expect: [] }]);
    h.matcher.setDoors([oneTime()]); // the worker has not persisted index 1 yet
    expect(h.play([{ knock: "1000", expect: [] }])).toEqual([[]]);
    expect(h.matcher.isWatched("tcp", 3000)).toBe(true);
    h.matcher.setDoors([{ ...oneTime(), oneTimeIndex: 2, sequence: [] }]);
    expect(h.play([{ knock: "3000", expect: [] }])).toEqual([[]]);
  });

  it("a repeated line in the file is retired with the first (never valid twice)", () => {
    const d = door("ot", "1000,2000", { oneTimeSequences: [seq("1000,2000"), seq("1000,2000"), seq("5000")], oneTimeIndex: 0 });
    const h = createHarness([d]);
    const lines: ScriptLine[] = [
      { knock: "1000", expect: [`${C} ot stage 1/2`] },
      { knock: "2000", expect: [`${C} ot stage 2/2`, `${C} ot OPEN v4`, "ot one-time 0", "ot one-time 1"] },
      { knock: "1000", expect: [] },
      { knock: "5000", expect: [`${C} ot stage 1/1`, `${C} ot OPEN v4`, "ot one-time 2 exhausted"] },
      { knock: "5000", expect: [] },
    ];
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
  });

  it("a replaced sequence list still refuses sequences already accepted", () => {
    const h = createHarness([oneTime()]);
    h.play([{ knock: "1000", expect: [] }, { knock: "2000", expect: [] }]);
    h.matcher.setDoors([door("ot", "1000,2000", { oneTimeSequences: [seq("1000,2000"), seq("6000,7000")], oneTimeIndex: 0 })]);
    expect(h.matcher.isWatched("tcp", 1000)).toBe(false);
    expect(h.play([{ knock: "6000", expect: [] }])).toEqual([[`${C} ot stage 1/2`]]);
  });

  it("an exhausted door given at load stays loaded and inactive", () => {
    const h = createHarness([door("ot", "", { oneTimeSequences: [seq("1000")], oneTimeIndex: 1 })]);
    expect(h.play([{ knock: "1000", expect: [] }])).toEqual([[]]);
    expect(h.matcher.nextDeadline()).toBeUndefined();
  });
});

describe("knockd defect 4: a retransmitted SYN kills the attempt", () => {
  it("an immediate duplicate SYN is tolerated when the door allows it", () => {
    const h = createHarness([door("a", "7000,8000,9000", { tolerateDuplicates: true })]);
    const lines: ScriptLine[] = [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 10, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 1_010, knock: "8000", expect: [`${C} a duplicate 2`] }, // the kernel's first SYN retransmission, 1 s later
      { t: 1_020, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ];
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
  });
});

describe("knockd defect 5: repeated opens", () => {
  it.each<{ name: string; cooldownMs: number; second: string[] }>([
    { name: "a second success opens again (the firewall refreshes the grant)", cooldownMs: 0, second: [`${C} a stage 1/2`] },
    { name: "unless the door is cooling down", cooldownMs: 30_000, second: [`${C} a cooldown`] },
  ])("$name", ({ cooldownMs, second }) => {
    const h = createHarness([door("a", "7000,8000", { cooldownMs })]);
    h.play([{ t: 0, knock: "7000", expect: [] }, { t: 1, knock: "8000", expect: [] }]);
    expect(h.play([{ t: 2, knock: "7000", expect: [] }])).toEqual([second]);
    const third = h.play([{ t: 3, knock: "8000", expect: [] }]);
    expect(third).toEqual([cooldownMs === 0 ? [`${C} a stage 2/2`, `${C} a OPEN v4`] : []]);
    expect(h.matcher.stats().opened).toBe(cooldownMs === 0 ? 2 : 1);
  });
});

describe("knockd defect 6: a single-port UDP door fires on every packet", () => {
  it("honours the door's cooldown", () => {
    const h = createHarness([door("ping", "5000:udp", { cooldownMs: 30_000 })]);
    const lines: ScriptLine[] = [
      { t: 0, knock: "5000:udp", expect: [`${C} ping stage 1/1`, `${C} ping OPEN v4`] },
      { t: 10, knock: "5000:udp", expect: [`${C} ping cooldown`] },
      { t: 29_999, knock: "5000:udp", expect: [`${C} ping cooldown`] },
      { t: 29_999, knock: "5000:udp", src: USER2, expect: [`${USER2} ping stage 1/1`, `${USER2} ping OPEN v4`] },
      { t: 30_000, knock: "5000:udp", expect: [`${C} ping stage 1/1`, `${C} ping OPEN v4`] },
      { t: 30_001, knock: "5000:udp", expect: [`${C} ping cooldown`] },
    ];
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
    expect(h.matcher.stats()).toMatchObject({ opened: 3, pending: 0 });
  });
});
