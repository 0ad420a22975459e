import { describe, expect, it } from "vitest";
import { addEventsToSeries, countEventsAfter, type ChartSeries } from "./live-series";

const base = (): ChartSeries => ({ from: 1000, bucketMs: 100, knocks: [1, 2, 3], opens: [0, 0, 1], bans: [0, 1, 0] });

describe("addEventsToSeries", () => {
  it.each([
    ["a knock in the last bucket", [{ ts: 1250, kind: "stage" }], { from: 1000, knocks: [1, 2, 4], opens: [0, 0, 1], bans: [0, 1, 0] }],
    ["an open and a ban in the first bucket", [{ ts: 1000, kind: "open" }, { ts: 1099, kind: "ban" }], { from: 1000, knocks: [1, 2, 3], opens: [1, 0, 1], bans: [1, 1, 0] }],
    ["kinds the chart does not show", [{ ts: 1250, kind: "timeout" }, { ts: 1250, kind: "close" }], { from: 1000, knocks: [1, 2, 3], opens: [0, 0, 1], bans: [0, 1, 0] }],
    ["older than the window", [{ ts: 999, kind: "stage" }], { from: 1000, knocks: [1, 2, 3], opens: [0, 0, 1], bans: [0, 1, 0] }],
    ["one bucket past the end: slides by one", [{ ts: 1300, kind: "stage" }], { from: 1100, knocks: [2, 3, 1], opens: [0, 1, 0], bans: [1, 0, 0] }],
    ["two buckets past, with an earlier one counted too", [{ ts: 1210, kind: "open" }, { ts: 1420, kind: "stage" }], { from: 1200, knocks: [3, 0, 1], opens: [2, 0, 0], bans: [0, 0, 0] }],
    ["far past the end: all empty but the new one", [{ ts: 9050, kind: "ban" }], { from: 8800, knocks: [0, 0, 0], opens: [0, 0, 0], bans: [0, 0, 1] }],
  ])("%s", (_name, events, want) => {
    expect(addEventsToSeries(base(), events)).toEqual({ bucketMs: 100, ...want });
  });

  it("returns the same series when nothing counted (no re-render)", () => {
    const s = base();
    expect(addEventsToSeries(s, [{ ts: 1200, kind: "worker" }])).toBe(s);
  });
});

describe("countEventsAfter", () => {
  const seen = [
    { id: 10, kind: "stage" },
    { id: 11, kind: "stage" },
    { id: 12, kind: "open" },
    { id: 13, kind: "ban" },
    { id: 14, kind: "stage" },
  ];
  it.each([
    ["everything after the first render's totals", 9, { knocks: 3, opens: 1, bans: 1 }],
    ["a refresh summed up to 12: only what came later", 12, { knocks: 1, opens: 0, bans: 1 }],
    ["a refresh past everything seen", 14, { knocks: 0, opens: 0, bans: 0 }],
  ])("%s", (_name, afterId, want) => {
    expect(countEventsAfter(seen, afterId)).toEqual(want);
  });
});
