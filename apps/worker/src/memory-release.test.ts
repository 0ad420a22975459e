import { describe, expect, it } from "vitest";
import { FloodMemoryRelease } from "./memory-release";

describe("FloodMemoryRelease", () => {
  it.each([
    { name: "no flood: never collects", pendings: [10, 500, 3000, 0], collections: 0 },
    { name: "collects once when a flood has drained", pendings: [0, 50_000, 240_000, 120_000, 11_000, 5_000, 100, 0, 0, 0, 3, 0], collections: 1 },
    { name: "waits while the table is still draining", pendings: [0, 50_000, 240_000, 120_000, 11_000, 5_000, 100, 0], collections: 0 },
    { name: "a second flood collects again", pendings: [250_000, 1_000, 0, 0, 90_000, 4_000, 0, 0], collections: 2 },
    { name: "a few real users left pending: collects once the count stops falling", pendings: [250_000, 9_000, 12, 12], collections: 1 },
    { name: "still flooding: waits", pendings: [250_000, 250_000, 200_000, 100_000], collections: 0 },
  ])("$name", ({ pendings, collections }) => {
    let calls = 0;
    const r = new FloodMemoryRelease(20_000, () => calls++);
    for (const p of pendings) r.observe(p);
    expect(calls).toBe(collections);
  });

  it("can reach the real collector without a command-line flag", () => {
    const r = new FloodMemoryRelease(1);
    r.observe(100);
    r.observe(0);
    expect(r.observe(0)).toBe(true);
  });
});
