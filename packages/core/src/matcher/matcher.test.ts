import { describe, expect, it } from "vitest";
import { ACK, CLIENT, FIN, HOST4, HOST6, RST, SYN, SYN_ACK, createHarness, door } from "@sesame/testkit/fixtures";
import type { ScriptLine } from "@sesame/testkit/fixtures";
import type { Door } from "../types";

const C = CLIENT;
const OTHER = "198.51.100.7";
const V6 = "2001:db8::7";
const SYN_NOT_ACK = { set: ["syn" as const], clear: ["ack" as const] };

interface Case {
  name: string;
  doors: Door[];
  lines: ScriptLine[];
}

const cases: Case[] = [
  {
    name: "three TCP knocks in order open the door",
    doors: [door("a", "7000,8000,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "8000", expect: [`${C} a stage 2/3`] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "packets on unwatched ports neither advance nor reset",
    doors: [door("a", "7000,8000,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "22", expect: [] },
      { knock: "8000:udp", expect: [] },
      { knock: "8000", expect: [`${C} a stage 2/3`] },
      { knock: "443", expect: [] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "a hit on another watched port invalidates; a non-first port starts nothing",
    doors: [door("a", "7000,8000,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "9000", expect: [`${C} a invalid 1 tcp:9000`] },
      { knock: "8000", expect: [] },
      { knock: "9000", expect: [] },
    ],
  },
  {
    name: "an attempt invalidated by its own first port restarts at stage 1",
    doors: [door("a", "7000,8000,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "8000", expect: [`${C} a stage 2/3`] },
      { knock: "7000", expect: [`${C} a invalid 2 tcp:7000`, `${C} a stage 1/3`] },
      { knock: "8000", expect: [`${C} a stage 2/3`] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "packets not addressed to the host are not looked at",
    doors: [door("a", "7000,8000")],
    lines: [
      { knock: "7000", dst: "10.0.0.99", expect: [] },
      { knock: "7000", expect: [`${C} a stage 1/2`] },
      { knock: "7000", dst: "10.0.0.99", expect: [] },
      { knock: "8000", dst: "10.0.0.99", expect: [] },
      { knock: "8000", dst: HOST6, expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "timeout is measured from the first knock (now - start >= timeout)",
    doors: [door("a", "7000,8000,9000", { seqTimeoutMs: 10_000 })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 9_000, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 9_999, expire: true, expect: [] },
      { t: 10_000, knock: "9000", expect: [`${C} a timeout 2`] },
      { t: 10_001, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 15_000, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 20_000, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "a timed-out attempt restarts when the late packet is the first step",
    doors: [door("a", "7000,8000", { seqTimeoutMs: 5_000 })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/2`] },
      { t: 5_000, knock: "7000", expect: [`${C} a timeout 1`, `${C} a stage 1/2`] },
      { t: 6_000, knock: "8000", expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "a due attempt times out on any watched packet from its IP, even one not addressed to it",
    doors: [door("a", "7000,8000", { seqTimeoutMs: 10_000 })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/2`] },
      { t: 10_000, knock: "8000", dst: "10.0.0.99", expect: [`${C} a timeout 1`] },
      { t: 10_001, knock: "8000", expect: [] },
    ],
  },
  {
    name: "mixed TCP/UDP: protocol is part of the step",
    doors: [door("a", "7000,8000:udp,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "8000", expect: [] }, // tcp:8000 is not watched at all
      { knock: "8000:udp", expect: [`${C} a stage 2/3`] },
      { knock: "9000:udp", expect: [] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "9000", expect: [`${C} a invalid 1 tcp:9000`] },
    ],
  },
  {
    name: "TCP flag rules do not apply to UDP steps",
    doors: [door("a", "7000,8000:udp", { tcpFlags: SYN_NOT_ACK })],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/2`] },
      { knock: "8000:udp", flags: 0, expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "syn,!ack: a SYN-ACK is ignored without invalidating, and starts nothing",
    doors: [door("a", "7000,8000,9000", { tcpFlags: SYN_NOT_ACK })],
    lines: [
      { knock: "7000", flags: SYN_ACK, expect: [] },
      { knock: "7000", flags: SYN, expect: [`${C} a stage 1/3`] },
      { knock: "8000", flags: SYN_ACK, expect: [] },
      { knock: "9000", flags: ACK, expect: [] },
      { knock: "7000", flags: RST, expect: [] },
      { knock: "8000", flags: SYN, expect: [`${C} a stage 2/3`] },
      { knock: "9000", flags: SYN | FIN, expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "without flag rule any TCP packet counts (knockd default)",
    doors: [door("a", "7000,8000")],
    lines: [
      { knock: "7000", flags: ACK, expect: [`${C} a stage 1/2`] },
      { knock: "7000", flags: RST, expect: [`${C} a invalid 1 tcp:7000`, `${C} a stage 1/2`] },
      { knock: "8000", flags: SYN_ACK, expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "tolerateDuplicates: the immediately repeated knock within 1 s is tolerated once",
    doors: [door("a", "7000,8000,9000", { tolerateDuplicates: true })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 200, knock: "7000", expect: [`${C} a duplicate 1`] },
      { t: 300, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 1_300, knock: "8000", expect: [`${C} a duplicate 2`] },
      { t: 1_400, knock: "8000", expect: [`${C} a invalid 2 tcp:8000`] },
      { t: 2_000, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 2_100, knock: "22", expect: [] }, // unwatched: does not count as "another packet"
      { t: 2_200, knock: "7000", expect: [`${C} a duplicate 1`] },
      { t: 2_300, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 2_400, knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "tolerateDuplicates: a repeat after another packet, or later than 1 s, invalidates",
    doors: [door("a", "7000,8000,9000", { tolerateDuplicates: true })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/3`] },
      { t: 1_001, knock: "7000", expect: [`${C} a invalid 1 tcp:7000`, `${C} a stage 1/3`] },
      { t: 1_100, knock: "8000", expect: [`${C} a stage 2/3`] },
      { t: 1_200, knock: "7000", expect: [`${C} a invalid 2 tcp:7000`, `${C} a stage 1/3`] },
    ],
  },
  {
    name: "without tolerateDuplicates a repeat invalidates (knockd)",
    doors: [door("a", "7000,8000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/2`] },
      { knock: "7000", expect: [`${C} a invalid 1 tcp:7000`, `${C} a stage 1/2`] },
    ],
  },
  {
    name: "duplicate ports inside a sequence advance (even with tolerateDuplicates)",
    doors: [door("dup", "1226,1226"), door("tol", "1222,1222,1223", { tolerateDuplicates: true })],
    lines: [
      { knock: "1226", expect: [`${C} dup stage 1/2`] },
      { knock: "1226", expect: [`${C} dup stage 2/2`, `${C} dup OPEN v4`] },
      { knock: "1222", expect: [`${C} tol stage 1/3`] },
      { knock: "1222", expect: [`${C} tol stage 2/3`] },
      { knock: "1222", expect: [`${C} tol duplicate 2`] },
      { knock: "1223", expect: [`${C} tol stage 3/3`, `${C} tol OPEN v4`] },
    ],
  },
  {
    name: "single-step door opens at once",
    doors: [door("one", "5000:udp")],
    lines: [
      { knock: "5000:udp", expect: [`${C} one stage 1/1`, `${C} one OPEN v4`] },
      { knock: "5000:udp", expect: [`${C} one stage 1/1`, `${C} one OPEN v4`] },
    ],
  },
  {
    name: "cooldown after a success, per IP and door",
    doors: [door("a", "7000,8000", { cooldownMs: 60_000 })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} a stage 1/2`] },
      { t: 100, knock: "8000", expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
      { t: 200, knock: "7000", expect: [`${C} a cooldown`] },
      { t: 300, knock: "7000", src: OTHER, expect: [`${OTHER} a stage 1/2`] },
      { t: 60_099, knock: "7000", expect: [`${C} a cooldown`] },
      { t: 60_100, knock: "7000", expect: [`${C} a stage 1/2`] },
      { t: 60_200, knock: "8000", expect: [`${C} a stage 2/2`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "knocks from another IP do not interfere",
    doors: [door("a", "7000,8000,9000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`] },
      { knock: "7000", src: OTHER, expect: [`${OTHER} a stage 1/3`] },
      { knock: "8000", expect: [`${C} a stage 2/3`] },
      { knock: "9000", src: OTHER, expect: [`${OTHER} a invalid 1 tcp:9000`] },
      { knock: "7000", src: V6, dst: HOST6, expect: [`${V6} a stage 1/3`] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
      { knock: "8000", src: V6, dst: HOST6, expect: [`${V6} a stage 2/3`] },
      { knock: "9000", src: V6, dst: HOST6, expect: [`${V6} a stage 3/3`, `${V6} a OPEN v6`] },
    ],
  },
  {
    name: "doors sharing a first port run in parallel",
    doors: [door("a", "7000,8000,9000"), door("b", "7000,6000"), door("c", "6000,5000")],
    lines: [
      { knock: "7000", expect: [`${C} a stage 1/3`, `${C} b stage 1/2`] },
      { knock: "6000", expect: [`${C} a invalid 1 tcp:6000`, `${C} b stage 2/2`, `${C} b OPEN v4`, `${C} c stage 1/2`] },
      { knock: "7000", expect: [`${C} c invalid 1 tcp:7000`, `${C} a stage 1/3`, `${C} b stage 1/2`] },
      { knock: "8000", expect: [`${C} a stage 2/3`, `${C} b invalid 1 tcp:8000`] },
      { knock: "9000", expect: [`${C} a stage 3/3`, `${C} a OPEN v4`] },
    ],
  },
  {
    name: "Target: only knocks sent to the target count, IPv6 text compared canonically",
    doors: [door("gw", "7000,8000", { target: "10.0.0.50" }), door("gw6", "7000,9000", { target: "fd00::50" })],
    lines: [
      { knock: "7000", expect: [] },
      { knock: "7000", dst: "10.0.0.50", expect: [`${C} gw stage 1/2`] },
      { knock: "8000", dst: HOST4, expect: [] }, // addressed to the host: not for this door
      { knock: "8000", dst: "10.0.0.50", expect: [`${C} gw stage 2/2`, `${C} gw OPEN v4`] },
      { knock: "7000", src: V6, dst: "fd00:0:0:0::0050", expect: [`${V6} gw6 stage 1/2`] },
      { knock: "9000", src: V6, dst: HOST6, expect: [] },
      { knock: "9000", src: V6, dst: "FD00::50", expect: [`${V6} gw6 stage 2/2`, `${V6} gw6 OPEN v6`] },
    ],
  },
  {
    name: "disabled doors and empty sequences are ignored",
    doors: [door("off", "7000,8000", { enabled: false }), door("empty", "")],
    lines: [
      { knock: "7000", expect: [] },
      { knock: "8000", expect: [] },
    ],
  },
  {
    name: "expire() fires due timeouts in deadline order across doors",
    doors: [door("slow", "7000,8000", { seqTimeoutMs: 20_000 }), door("fast", "6000,5000", { seqTimeoutMs: 5_000 })],
    lines: [
      { t: 0, knock: "7000", expect: [`${C} slow stage 1/2`] },
      { t: 1_000, knock: "7000", src: OTHER, expect: [`${OTHER} slow stage 1/2`] },
      { t: 2_000, knock: "6000", src: V6, dst: HOST6, expect: [`${V6} fast stage 1/2`] },
      { t: 6_999, expire: true, expect: [] },
      { t: 7_000, expire: true, expect: [`${V6} fast timeout 1`] },
      { t: 20_000, expire: true, expect: [`${C} slow timeout 1`] },
      { t: 30_000, expire: true, expect: [`${OTHER} slow timeout 1`] },
      { t: 30_001, expire: true, expect: [] },
    ],
  },
];

describe("Matcher rules", () => {
  it.each(cases)("$name", ({ doors, lines }) => {
    const h = createHarness(doors);
    expect(h.play(lines)).toEqual(lines.map((l) => l.expect));
  });
});

describe("Matcher bookkeeping", () => {
  it("isWatched is protocol-aware and covers every step of enabled doors", () => {
    const h = createHarness([door("a", "7000,8000:udp"), door("off", "6000", { enabled: false })]);
    const table: [("tcp" | "udp"), number, boolean][] = [
      ["tcp", 7000, true],
      ["udp", 7000, false],
      ["udp", 8000, true],
      ["tcp", 8000, false],
      ["tcp", 6000, false],
    ];
    for (const [proto, port, watched] of table) expect(h.matcher.isWatched(proto, port), `${proto}:${port}`).toBe(watched);
  });

  it("stats count packets, ignored packets, opens, timeouts and pending attempts", () => {
    const h = createHarness([door("a", "7000,8000", { seqTimeoutMs: 1_000 })]);
    h.play([
      { t: 0, knock: "7000", expect: [] },
      { t: 0, knock: "22", expect: [] },
      { t: 0, knock: "7000", src: OTHER, expect: [] },
      { t: 10, knock: "8000", expect: [] },
    ]);
    expect(h.matcher.stats()).toEqual({ pending: 1, evicted: 0, packets: 4, ignored: 1, opened: 1, timeouts: 0 });
    expect(h.matcher.nextDeadline()).toBe(1_000);
    h.clock.t = 1_000;
    h.matcher.expire();
    expect(h.matcher.stats()).toMatchObject({ pending: 0, timeouts: 1 });
    expect(h.matcher.nextDeadline()).toBeUndefined();
  });

  it("nextDeadline is the earliest head over doors with different timeouts", () => {
    const h = createHarness([door("slow", "7000,8000", { seqTimeoutMs: 20_000 }), door("fast", "6000,5000", { seqTimeoutMs: 5_000 })]);
    const table: [number, string, string, number | undefined][] = [
      [0, CLIENT, "7000", 20_000],
      [1_000, OTHER, "6000", 6_000],
      [1_500, OTHER, "5000", 20_000], // fast completed
      [1_600, CLIENT, "8000", undefined], // slow completed
    ];
    for (const [t, src, knock, due] of table) {
      h.clock.t = t;
      h.matcher.handle({ src, dst: HOST4, family: 4, protocol: "tcp", dport: Number(knock), flags: SYN });
      expect(h.matcher.nextDeadline(), `after ${knock}@${t}`).toBe(due);
    }
  });

  it("cooldown records are bounded by maxAttempts (a flood on a single-port door)", () => {
    const ips = ["10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5"];
    const h = createHarness([door("one", "5000:udp", { cooldownMs: 60_000 })], { maxAttempts: 3 });
    h.play(ips.map((src, i) => ({ t: i, knock: "5000:udp", src, expect: [] })));
    const again = (src: string) => h.play([{ t: 10, knock: "5000:udp", src, expect: [] }])[0];
    // The two oldest records were forgotten; the three newest still cool down.
    expect(again("10.9.0.5")).toEqual(["10.9.0.5 one cooldown"]);
    expect(again("10.9.0.3")).toEqual(["10.9.0.3 one cooldown"]);
    expect(again("10.9.0.1")).toEqual(["10.9.0.1 one stage 1/1", "10.9.0.1 one OPEN v4"]);
  });

  it.each([
    ["zero", 0],
    ["negative", -5],
    ["fractional", 1.5],
  ])("rejects a %s maxAttempts", (_label, maxAttempts) => {
    expect(() => createHarness([door("a", "1,2")], { maxAttempts })).toThrow(RangeError);
  });

  it.each([
    ["zero", 0],
    ["negative", -5],
    ["fractional", 1.5],
  ])("setMaxAttempts rejects a %s cap and keeps the old one", (_label, maxAttempts) => {
    const h = createHarness([door("a", "1,2")], { maxAttempts: 7 });
    expect(() => h.matcher.setMaxAttempts(maxAttempts)).toThrow(RangeError);
    expect(h.matcher.attemptCap).toBe(7);
  });

  it("setMaxAttempts lowers the cap at once: oldest stage-1 attempts go first, later ones keep their stage", () => {
    const h = createHarness([door("a", "7000,8000,9000")], { maxAttempts: 100 });
    const ips = Array.from({ length: 6 }, (_, i) => `10.8.0.${i + 1}`);
    h.play(ips.map((src, i) => ({ t: i, knock: "7000", src, expect: [] })));
    h.play([{ t: 10, knock: "8000", src: ips[0], expect: [] }]); // the oldest is at stage 2: kept over newer stage-1 ones
    const table: [number | undefined, number, number][] = [
      // cap, evicted now, pending after
      [200, 0, 6],
      [4, 2, 4],
      [4, 0, 4],
      [1, 3, 1],
      [undefined, 0, 1], // back to the default: nothing to evict
    ];
    for (const [cap, evicted, pending] of table) {
      expect(h.matcher.setMaxAttempts(cap), `cap ${cap}`).toBe(evicted);
      expect(h.matcher.stats().pending, `cap ${cap}`).toBe(pending);
    }
    expect(h.matcher.attemptCap).toBe(250_000);
    expect(h.matcher.stats().evicted).toBe(5);
    // The survivor is the stage-2 attempt: its next knock advances it.
    expect(h.play([{ t: 20, knock: "9000", src: ips[0], expect: [] }])[0]).toEqual([`${ips[0]} a stage 3/3`, `${ips[0]} a OPEN v4`]);
  });

  it("setMaxAttempts raised: more attempts fit before eviction starts", () => {
    const h = createHarness([door("a", "7000,8000")], { maxAttempts: 2 });
    h.matcher.setMaxAttempts(5);
    h.play(["10.8.1.1", "10.8.1.2", "10.8.1.3", "10.8.1.4", "10.8.1.5", "10.8.1.6"].map((src, i) => ({ t: i, knock: "7000", src, expect: [] })));
    expect(h.matcher.stats()).toMatchObject({ pending: 5, evicted: 1 });
  });

  it("setMaxAttempts trims cooldown records to the new cap", () => {
    const ips = ["10.9.1.1", "10.9.1.2", "10.9.1.3", "10.9.1.4"];
    const h = createHarness([door("one", "5000:udp", { cooldownMs: 60_000 })], { maxAttempts: 10 });
    h.play(ips.map((src, i) => ({ t: i, knock: "5000:udp", src, expect: [] })));
    h.matcher.setMaxAttempts(2);
    const again = (src: string) => h.play([{ t: 10, knock: "5000:udp", src, expect: [] }])[0];
    expect(again("10.9.1.4")).toEqual(["10.9.1.4 one cooldown"]);
    expect(again("10.9.1.2")).toEqual(["10.9.1.2 one stage 1/1", "10.9.1.2 one OPEN v4"]);
  });


  it("rejects duplicate door ids", () => {
    expect(() => createHarness([door("a", "1,2"), door("a", "3,4")])).toThrow(/duplicate door id "a"/);
  });

  it("takes sequences up to 63 knocks (configs stop at 32) and refuses longer ones", () => {
    const ports = (n: number): string => Array.from({ length: n }, (_, i) => String(10_000 + i)).join(",");
    const h = createHarness([door("long", ports(63))]);
    const events = h.play(ports(63).split(",").map((knock) => ({ knock, expect: [] }))).flat();
    expect(events.slice(-2)).toEqual([`${CLIENT} long stage 63/63`, `${CLIENT} long OPEN v4`]);
    expect(() => createHarness([door("a", ports(64))])).toThrow(RangeError);
  });
});
