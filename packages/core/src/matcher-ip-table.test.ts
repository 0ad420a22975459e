import { describe, expect, it } from "vitest";
import { IpTable, hashIpKey, ipKey } from "./matcher-ip-table";

describe("ipKey", () => {
  it.each<[string, number | string]>([
    ["0.0.0.0", 0],
    ["10.0.0.1", 0x0a000001],
    ["192.0.2.10", 0xc000020a | 0],
    ["255.255.255.255", -1],
    ["256.0.0.1", "256.0.0.1"],
    ["1.2.3", "1.2.3"],
    ["1..2.3", "1..2.3"],
    ["1.2.3.", "1.2.3."],
    ["1.2.3.4.", "1.2.3.4."],
    ["1.2.3.1000", "1.2.3.1000"],
    ["2001:db8::1", "2001:db8::1"],
    // leading zeros: another text of 10.0.0.1, kept as text so a key always maps back to one text
    ["010.0.0.1", "010.0.0.1"],
    ["10.0.00.1", "10.0.00.1"],
    ["10.0.0.01", "10.0.0.01"],
  ])("%s → %s", (ip, key) => {
    expect(ipKey(ip)).toBe(key);
  });

  it("hashes depend on the seed (spoofers cannot precompute collisions)", () => {
    const keys = [ipKey("10.0.0.1"), ipKey("2001:db8::1")];
    for (const k of keys) expect(hashIpKey(k, 1)).not.toBe(hashIpKey(k, 2));
  });
});

describe("IpTable", () => {
  type Entry = { key: number | string; v: number | string };
  const entry = (key: number | string, v: number | string): Entry => ({ key, v });

  it("keeps every key findable through collisions, wrap-around and backward-shift deletes", () => {
    // Forced hashes: all keys share a home slot near the end of the 1024-slot table, so runs wrap.
    const t = new IpTable<Entry>();
    const keys = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? i : `k${i}`));
    const hashOf = (k: number | string) => (typeof k === "number" ? 1020 : 1021);
    for (const k of keys) t.set(hashOf(k), entry(k, `v${k}`));
    expect(t.size).toBe(40);
    for (const k of keys) expect(t.get(k, hashOf(k))?.v).toBe(`v${k}`);
    // Delete every third key (from the middle of the run), the rest must stay reachable.
    const gone = keys.filter((_, i) => i % 3 === 0);
    for (const k of gone) t.delete(k, hashOf(k));
    t.delete("absent", 1021);
    for (const k of keys) expect(t.get(k, hashOf(k))?.v, String(k)).toBe(gone.includes(k) ? undefined : `v${k}`);
    expect(t.size).toBe(40 - gone.length);
  });

  it("tells apart keys whose hashes collide (same hash, different key)", () => {
    const t = new IpTable<Entry>();
    t.set(5, entry(1, "a"));
    t.set(5, entry("1", "b"));
    t.set(5, entry(2, "c"));
    expect([t.get(1, 5)?.v, t.get("1", 5)?.v, t.get(2, 5)?.v, t.get(3, 5)]).toEqual(["a", "b", "c", undefined]);
    t.set(5, entry(1, "a2"));
    expect(t.size).toBe(3);
    expect(t.get(1, 5)?.v).toBe("a2");
  });

  it("matches a Map under random operations, including growth and shrinking", () => {
    const t = new IpTable<Entry>();
    const model = new Map<number | string, number>();
    let s = 42;
    const random = () => (s = (s * 1103515245 + 12345) >>> 0);
    const check = () => {
      expect(t.size).toBe(model.size);
      for (let k = 0; k < 3000; k++) {
        for (const key of [k, `2001:db8::${k}`]) expect(t.get(key, hashIpKey(key, 7))?.v).toBe(model.get(key));
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const r = random();
      const key = r % 3 === 0 ? `2001:db8::${(r >>> 4) % 3000}` : (r >>> 4) % 3000;
      const h = hashIpKey(key, 7);
      if ((r >>> 20) % 3 === 0) {
        t.delete(key, h);
        model.delete(key);
      } else {
        t.set(h, entry(key, i));
        model.set(key, i);
      }
    }
    check();
    // Drain most of it: the table shrinks on the way and everything left stays findable.
    for (const key of [...model.keys()].slice(30)) {
      t.delete(key, hashIpKey(key, 7));
      model.delete(key);
    }
    check();
  });

  it("grows under a flood and gives the slots back once it drains", () => {
    const t = new IpTable<Entry>();
    expect(t.capacity).toBe(1024);
    for (let i = 0; i < 100_000; i++) t.set(hashIpKey(i, 3), entry(i, i));
    expect(t.capacity).toBe(262_144);
    // Load stays <= 1/2 while growing.
    expect(t.size * 2).toBeLessThanOrEqual(t.capacity);
    for (let i = 0; i < 99_990; i++) t.delete(i, hashIpKey(i, 3));
    expect(t.capacity).toBe(1024);
    for (let i = 99_990; i < 100_000; i++) expect(t.get(i, hashIpKey(i, 3))?.v).toBe(i);
    // Hysteresis: no resize ping-pong around a boundary.
    const big = new IpTable<Entry>();
    for (let i = 0; i < 600; i++) big.set(hashIpKey(i, 1), entry(i, i));
    expect(big.capacity).toBe(2048);
    for (let round = 0; round < 100; round++) {
      big.delete(round, hashIpKey(round, 1));
      big.set(hashIpKey(round, 1), entry(round, round));
    }
    expect(big.capacity).toBe(2048);
  });

  it("stays fast when one key is added and removed over and over in a big table", () => {
    const t = new IpTable<Entry>();
    for (let i = 0; i < 200_000; i++) t.set(hashIpKey(i, 3), entry(i, i));
    const key = -5;
    const h = hashIpKey(key, 3);
    const e = entry(key, 0);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) {
      t.get(key, h);
      t.set(h, e);
      t.delete(key, h);
    }
    const nsPerCycle = Number(process.hrtime.bigint() - start) / 100_000;
    // A V8 Map takes ~50-150 µs per cycle here (deleted entries pile up in one bucket chain).
    expect(nsPerCycle).toBeLessThan(5_000);
  });
});
