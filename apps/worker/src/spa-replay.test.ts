import { createHash } from "node:crypto";
import { openDb, replayCache } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { ReplayCache } from "./spa-replay";
import { WriteBehind } from "./write-behind";

// The replay cache on a real migrated database: what it remembers, when it
// forgets (in memory and in the table), and what a restart reloads.

const key = (n: number) => `spa:${createHash("sha256").update(`packet ${n}`).digest("base64").replace(/=+$/, "")}`;

function setup(persist = true) {
  const db = openDb(":memory:", { migrate: true });
  let now = 1_000_000;
  const writer = new WriteBehind({ db });
  const cache = new ReplayCache({ writer, now: () => now, persist });
  return { db, writer, cache, setNow: (t: number) => (now = t) };
}

const table = (db: ReturnType<typeof openDb>) => db.select().from(replayCache).all().map((r) => [r.key, r.expiresAt]);

describe("SPA replay cache", () => {
  it.each([
    ["inside its window", 1_000_500, true],
    ["at its expiry", 1_002_000, false],
    ["after its expiry", 1_010_000, false],
  ])("a digest %s is %s after the prune", (_what, at, seen) => {
    const s = setup();
    s.cache.add(key(1), 1_002_000);
    s.cache.prune(at);
    expect(s.cache.has(key(1))).toBe(seen);
  });

  it("a digest already past its expiry is not remembered; a digest never added is not seen", () => {
    const s = setup();
    s.cache.add(key(1), 999_999);
    expect(s.cache.has(key(1))).toBe(false);
    s.cache.add(key(2), 2_000_000);
    expect(s.cache.has(key(2))).toBe(true);
    expect(s.cache.has(key(3))).toBe(false);
    // keys that are no base64 digest are kept whole
    s.cache.add("spa:x", 2_000_000);
    expect([s.cache.has("spa:x"), s.cache.has("spa:y")]).toEqual([true, false]);
  });

  it("arrival order that is not expiry order (client clocks differ): each digest leaves at its own expiry", async () => {
    const s = setup();
    s.cache.add(key(1), 1_005_000);
    s.cache.add(key(2), 1_003_000); // a client whose clock is behind
    s.cache.add(key(3), 1_006_000);
    s.cache.prune(1_004_000);
    expect([1, 2, 3].map((n) => s.cache.has(key(n)))).toEqual([true, false, true]);
    s.cache.prune(1_005_000);
    expect([1, 2, 3].map((n) => s.cache.has(key(n)))).toEqual([false, false, true]);
    expect(s.cache.size).toBe(1);
  });

  it("a packet dated years ahead is remembered until then and holds up nobody else's pruning", async () => {
    const s = setup();
    const years = 1_000_000 + 10 * 365 * 86_400_000;
    s.cache.add(key(0), years);
    for (let i = 1; i <= 1000; i++) s.cache.add(key(i), 1_000_000 + 121_000 + (i % 7) * 1000);
    s.cache.prune(1_000_000 + 3_600_000);
    for (let i = 0; i < 10 && s.writer.pending > 0; i++) await s.writer.flush();
    expect(s.cache.size).toBe(1);
    expect([s.cache.has(key(0)), s.cache.has(key(1))]).toEqual([true, false]);
    expect(table(s.db).map(([, e]) => e)).toEqual([years]);
    s.cache.prune(years);
    expect(s.cache.size).toBe(0);
  });

  it("random expiries: after each prune exactly the unexpired digests are seen (the heap against a plain list)", () => {
    const s = setup();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const expiry = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const e = 1_000_001 + Math.floor(rnd() * 50_000);
      s.cache.add(key(i), e);
      expiry.set(i, e);
    }
    for (let t = 1_000_000; t <= 1_052_000; t += 4_000) {
      s.cache.prune(t);
      const live = [...expiry].filter(([, e]) => e > t).map(([i]) => i);
      expect(s.cache.size).toBe(live.length);
      for (const [i, e] of expiry) if (i % 97 === 0) expect(s.cache.has(key(i))).toBe(e > t);
    }
  });

  it("the table follows: rows are written behind, the prune deletes the expired ones, a restart reloads the live ones", async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) s.cache.add(key(i), 1_001_000 + i * 1000);
    await s.writer.flush();
    expect(table(s.db)).toHaveLength(5);
    s.setNow(1_003_000);
    s.cache.prune(1_003_000);
    await s.writer.flush();
    expect(table(s.db).map(([, e]) => e)).toEqual([1_004_000, 1_005_000]);
    const restarted = new ReplayCache({ writer: s.writer, now: () => 1_004_000 });
    expect(restarted.load(s.db)).toBe(1);
    expect([restarted.has(key(3)), restarted.has(key(4))]).toEqual([false, true]);
  });

  it("memory only (ENABLE_DIGEST_PERSISTENCE N): nothing is written or loaded", async () => {
    const s = setup(false);
    s.cache.add(key(1), 2_000_000);
    s.cache.prune(1_500_000);
    await s.writer.flush();
    expect(table(s.db)).toEqual([]);
    expect(s.cache.load(s.db)).toBe(0);
    expect(s.cache.has(key(1))).toBe(true);
  });
});
