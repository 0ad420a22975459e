import { describe, expect, it } from "vitest";
import { Stage1Limiter } from "./rate-limit";

describe("Stage1Limiter", () => {
  it.each([
    { perSecond: 3, calls: [0, 10, 20, 30, 40], allowed: [true, true, true, false, false], suppressed: 2 },
    { perSecond: 2, calls: [0, 500, 999, 1000, 1001, 1002], allowed: [true, true, false, true, true, false], suppressed: 2 },
    { perSecond: 1, calls: [0, 1000, 2000], allowed: [true, true, true], suppressed: 0 },
  ])("allows $perSecond per second", ({ perSecond, calls, allowed, suppressed }) => {
    let t = 0;
    const l = new Stage1Limiter(perSecond, () => t);
    const got = calls.map((c) => {
      t = c;
      return l.allow();
    });
    expect(got).toEqual(allowed);
    expect(l.takeSuppressed()).toBe(suppressed);
    expect(l.takeSuppressed()).toBe(0);
  });
});
