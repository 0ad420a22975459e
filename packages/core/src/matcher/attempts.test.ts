/**
 * What the attempt store guarantees, through the public Matcher API: who is
 * evicted at the cap, that one source's attempts of several doors are kept
 * apart, and that a flood's memory is given back once it drains.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { Matcher } from "./matcher";
import { HOST4, HOST6, createHarness, door, packet } from "@sesame/testkit/fixtures";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap in use after full collections, with typed arrays' buffers (the attempt columns live there), in MB. */
function heapMb(): number {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

const ipOf = (i: number): string => (i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);
const to = (ip: string): string => (ip.includes(":") ? HOST6 : HOST4);
const HOUR = 3_600_000;

describe("pending attempts", () => {
  it("evicts the oldest stage-1 attempt first (any door), then the oldest attempt of any door", () => {
    const h = createHarness([door("a", "7000,8000,9000", { seqTimeoutMs: HOUR }), door("b", "7100,8100,9100", { seqTimeoutMs: HOUR })]);
    h.play([
      { t: 1, knock: "7000", src: "10.0.0.11", expect: ["10.0.0.11 a stage 1/3"] },
      { t: 2, knock: "7100", src: "10.0.0.12", expect: ["10.0.0.12 b stage 1/3"] },
      { t: 3, knock: "7000", src: "10.0.0.13", expect: ["10.0.0.13 a stage 1/3"] },
      { t: 4, knock: "8000", src: "10.0.0.11", expect: ["10.0.0.11 a stage 2/3"] }, // no longer a stage-1 victim
    ]);
    expect(h.matcher.setMaxAttempts(2)).toBe(1); // .12: the oldest at stage 1
    expect(h.matcher.setMaxAttempts(1)).toBe(1); // .13
    h.clock.t = 5;
    expect(h.matcher.handle(packet("7100", "10.0.0.14")).length).toBe(1); // at the cap, only .11 (stage 2) to evict
    expect(h.matcher.stats()).toMatchObject({ pending: 1, evicted: 3 });
    expect(h.play([
      { knock: "9000", src: "10.0.0.11", expect: [] },
      { knock: "8100", src: "10.0.0.12", expect: [] },
      { knock: "8000", src: "10.0.0.13", expect: [] },
      { knock: "8100", src: "10.0.0.14", expect: [] },
    ])).toEqual([[], [], [], ["10.0.0.14 b stage 2/3"]]);
  });

  it("keeps one source's attempts of several doors apart, in start order, whichever goes first", () => {
    // b times out first (middle of the source's chain), then a (its head); c (the last) completes
    const doors = [door("a", "7000,8000,9000", { seqTimeoutMs: 2000 }), door("b", "7000,8000,9000", { seqTimeoutMs: 1000 }), door("c", "7000,8000,9000", { seqTimeoutMs: 3000 })];
    for (const src of ["192.0.2.7", "2001:db8::7"]) {
      const dst = to(src);
      const v = dst === HOST6 ? 6 : 4;
      const h = createHarness(doors);
      expect(h.play([
        { t: 0, knock: "7000", src, dst, expect: [] },
        { t: 1000, expire: true, expect: [] },
        { t: 1001, knock: "8000", src, dst, expect: [] },
        { t: 2000, expire: true, expect: [] },
        { t: 2001, knock: "9000", src, dst, expect: [] },
      ])).toEqual([
        [`${src} a stage 1/3`, `${src} b stage 1/3`, `${src} c stage 1/3`],
        [`${src} b timeout 1`],
        [`${src} a stage 2/3`, `${src} c stage 2/3`],
        [`${src} a timeout 2`],
        [`${src} c stage 3/3`, `${src} c OPEN v${v}`],
      ]);
      expect(h.matcher.stats().pending).toBe(0);
    }
  });

  it("gives a flood's memory back once it drains, with the survivors intact", () => {
    const clock = { t: 0 };
    const doors = [door("a", "7000,8000,9000", { seqTimeoutMs: 5_000 }), door("b", "7100,8100", { seqTimeoutMs: HOUR })];
    const m = new Matcher(doors, { now: () => clock.t, isLocalAddress: (ip) => ip === HOST4 || ip === HOST6, maxAttempts: 1_000_000 });
    const before = heapMb();
    const n = 300_000;
    // every 1000th source knocks on the long-lived door b instead
    for (let i = 0; i < n; i++) m.handle(packet(i % 1000 === 0 ? "7100" : "7000", ipOf(i), to(ipOf(i))));
    expect(m.stats().pending).toBe(n);
    const grown = heapMb() - before;
    clock.t = 5_000;
    expect(m.expire().length).toBe(n - n / 1000);
    const left = heapMb() - before;
    console.info(`flood of ${n}: heap +${grown.toFixed(1)} MB, after draining +${left.toFixed(1)} MB`);
    expect(grown).toBeGreaterThan(20);
    expect(left).toBeLessThan(2);
    expect(m.stats().pending).toBe(n / 1000);
    for (let i = 0; i < n; i += 1000) expect(m.handle(packet("8100", ipOf(i), to(ipOf(i)))).map((e) => e.kind)).toEqual(["stage", "open-sesame"]);
    expect(m.nextDeadline()).toBeUndefined();
  });

  it("keeps its memory bounded while a long-lived attempt heads the queues", () => {
    const h = createHarness([door("a", "7000,8000,9000", { seqTimeoutMs: HOUR })]);
    h.matcher.handle(packet("7000", "10.9.9.9"));
    const before = heapMb();
    // 200k sources each start; half get it wrong at stage 1, the others complete: nothing stays pending
    for (let i = 0; i < 200_000; i++) {
      const src = ipOf(i);
      h.matcher.handle(packet("7000", src, to(src)));
      if (i % 2 === 0) h.matcher.handle(packet("8000", src, to(src)));
      h.matcher.handle(packet("9000", src, to(src)));
    }
    expect(h.matcher.stats().pending).toBe(1);
    expect(heapMb() - before).toBeLessThan(2);
    expect(h.matcher.nextDeadline()).toBe(HOUR);
    h.matcher.setMaxAttempts(1);
    expect(h.matcher.handle(packet("7000", "10.8.8.8")).length).toBe(1);
    expect(h.matcher.stats().evicted).toBe(1); // the pinned one went: it was the only victim
  });
});
