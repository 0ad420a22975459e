import { describe, expect, it } from "vitest";
import { formatClock, formatDay, formatTimestamp } from "./format";

// 2025-03-01 14:05:09 UTC: an afternoon, so a 12-hour clock would show 02:05 PM.
const TS = Date.UTC(2025, 2, 1, 14, 5, 9);

describe("timestamps are 24-hour everywhere", () => {
  it.each([
    ["formatTimestamp", formatTimestamp(TS, true), "2025-03-01 14:05:09 UTC"],
    ["formatClock", formatClock(TS, true), "14:05"],
    ["formatDay", formatDay(TS, true), "03-01"],
    ["formatClock, just after midnight", formatClock(Date.UTC(2025, 2, 1, 0, 7), true), "00:07"],
  ])("%s", (_name, got, want) => {
    expect(got).toBe(want);
  });

  it("the chart's clock is the timestamp's time part, in the local zone too", () => {
    expect(formatTimestamp(TS)).toContain(` ${formatClock(TS)}:`);
    expect(formatTimestamp(TS).slice(5, 10)).toBe(formatDay(TS));
  });
});
