import { describe, expect, it } from "vitest";
import { hashIpKey, ipKey } from "./matcher-ip-table";
import { DoorState } from "./matcher-state";
import { AttemptStore, IdQueue, QUEUE_CHUNK } from "./matcher-store";
import type { Door } from "./types";

function door(id: string, tolerateDuplicates = false): DoorState {
  const d: Door = {
    id,
    name: id,
    sequence: [7000, 8000, 9000].map((port) => ({ port, protocol: "tcp" as const })),
    seqTimeoutMs: 5000,
    tcpFlags: { set: ["syn"], clear: [] },
    action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 30 },
    cooldownMs: 0,
    tolerateDuplicates,
    enabled: true,
  };
  return new DoorState(d, d.sequence);
}

const SEED = 99;
const ipOf = (i: number): string => (i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);

/** Adds, then settles as the matcher does after every packet (either may renumber ids). */
function add(store: AttemptStore, ip: string, d: DoorState, now: number, hash = hashIpKey(ipKey(ip), SEED)): void {
  store.add(ip, ipKey(ip), hash, d, now);
  store.settle();
}

/** Ids of an IP's attempts, oldest first. */
function attemptsOf(store: AttemptStore, ip: string, hash = hashIpKey(ipKey(ip), SEED)): number[] {
  const n = store.lookup(ipKey(ip), hash);
  return Array.from(store.found.subarray(0, n));
}

/** The one attempt of an IP on a door (-1: none). */
function find(store: AttemptStore, ip: string, d: DoorState, hash?: number): number {
  return attemptsOf(store, ip, hash).find((a) => store.door(a) === d) ?? -1;
}

describe("IdQueue", () => {
  it("keeps FIFO order across chunks, releases passed chunks and keeps one when empty", () => {
    const q = new IdQueue();
    const n = QUEUE_CHUNK * 3 + 7;
    for (let i = 0; i < n; i++) q.push(i, i * 2);
    expect([q.length, q.capacity]).toEqual([n, QUEUE_CHUNK * 4]);
    const seen: number[] = [];
    for (let i = 0; i < QUEUE_CHUNK * 2 + 1; i++) {
      expect(q.genAt(0)).toBe(q.idAt(0) * 2);
      seen.push(q.idAt(0));
      q.shift();
    }
    expect(seen).toEqual(Array.from({ length: QUEUE_CHUNK * 2 + 1 }, (_, i) => i));
    expect(q.capacity).toBe(QUEUE_CHUNK * 2); // the two chunks the head passed are gone
    expect(q.idAt(q.length - 1)).toBe(n - 1);
    q.rebuild((id) => (id % 2 === 0 ? id + 1 : -1)); // keep the even ones, renumbered
    expect(q.length).toBe(Math.ceil((n - (QUEUE_CHUNK * 2 + 1)) / 2));
    expect([q.idAt(0), q.genAt(0)]).toEqual([QUEUE_CHUNK * 2 + 3, (QUEUE_CHUNK * 2 + 2) * 2]);
    const kept = Array.from({ length: q.length }, (_, k) => [q.idAt(k), q.genAt(k)]);
    expect(kept).toEqual(Array.from({ length: q.length }, (_, k) => [QUEUE_CHUNK * 2 + 3 + 2 * k, (QUEUE_CHUNK * 2 + 2 + 2 * k) * 2]));
    // compacted in place: the 2 chunks it spanned hold half as many now, the emptied one is released
    expect(q.capacity).toBe(QUEUE_CHUNK);
    q.push(-5, -6); // the tail is right after the last kept entry
    expect([q.idAt(q.length - 1), q.genAt(q.length - 1), q.idAt(q.length - 2)]).toEqual([-5, -6, kept[kept.length - 1]![0]]);
    while (q.length > 0) q.shift();
    expect(q.capacity).toBe(QUEUE_CHUNK); // one spare chunk, no allocation per idle cycle
    q.push(5, 6);
    expect([q.length, q.idAt(0), q.genAt(0), q.capacity]).toEqual([1, 5, 6, QUEUE_CHUNK]);
  });
});

describe("AttemptStore", () => {
  it("finds one IP's attempts across doors, oldest first, and removes any of them", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b"), door("c")];
    for (const ip of ["10.0.0.1", "2001:db8::1"]) {
      // started in the order c, a, b
      for (const [i, d] of [doors[2]!, doors[0]!, doors[1]!].entries()) add(store, ip, d, 100 + i);
      expect(attemptsOf(store, ip).map((a) => store.door(a).id)).toEqual(["c", "a", "b"]);
      store.remove(find(store, ip, doors[0]!)); // middle
      expect(attemptsOf(store, ip).map((a) => store.door(a).id)).toEqual(["c", "b"]);
      store.remove(find(store, ip, doors[2]!)); // oldest
      expect(attemptsOf(store, ip).map((a) => store.door(a).id)).toEqual(["b"]);
      store.remove(find(store, ip, doors[1]!));
      expect(attemptsOf(store, ip)).toEqual([]);
    }
    expect(store.count).toBe(0);
  });

  it("keeps each attempt's fields and its IP's text (IPv4 and IPv6)", () => {
    const store = new AttemptStore();
    const d = door("a", true);
    add(store, "192.0.2.7", d, 1000);
    add(store, "2001:db8::7", d, 1001);
    const a = find(store, "192.0.2.7", d);
    const b = find(store, "2001:db8::7", d);
    store.advance(a, 1500);
    store.clearDupOk(b);
    expect([store.ip(a), store.stage(a), store.age(a, 1600), store.sinceLastStep(a, 1600), store.dupOk(a)]).toEqual(["192.0.2.7", 2, 600, 100, true]);
    expect([store.ip(b), store.stage(b), store.age(b, 1600), store.dupOk(b)]).toEqual(["2001:db8::7", 1, 599, false]);
    // an IPv6 entry's IPv4 key field is 0: 0.0.0.0 looked up in its bucket is not it
    expect(store.lookup(ipKey("0.0.0.0"), hashIpKey(ipKey("2001:db8::7"), SEED))).toBe(0);
  });

  it("tolerates a duplicate only for doors that do, from the step's own time", () => {
    const store = new AttemptStore();
    const strict = door("strict");
    const lenient = door("lenient", true);
    add(store, "10.0.0.1", strict, 0);
    add(store, "10.0.0.1", lenient, 0);
    const [s, l] = [find(store, "10.0.0.1", strict), find(store, "10.0.0.1", lenient)];
    expect([store.dupOk(s), store.dupOk(l)]).toEqual([false, true]);
    store.advance(s, 700);
    store.advance(l, 700);
    expect([store.dupOk(s), store.dupOk(l), store.sinceLastStep(l, 1200)]).toEqual([false, true, 500]);
    // a duplicate used up, the next step tolerates one again
    store.clearDupOk(l);
    store.advance(l, 900);
    expect([store.dupOk(l), store.stage(l), store.sinceLastStep(l, 1000)]).toEqual([true, 3, 100]);
  });

  it.each<[string, number, number, number]>([
    ["plain", 1_000_000, 1_004_999, 4999],
    ["across a 2^32 ms boundary (start times keep 32 bits)", 2 ** 32 - 300, 2 ** 32 + 700, 1000],
    ["across a 2^31 ms boundary (the int32 difference wraps)", 2 ** 31 - 100, 2 ** 31 + 100, 200],
    ["a wall clock of today", 1_795_000_000_123, 1_795_000_003_723, 3600],
    ["the clock went back", 5000, 4000, -1000],
  ])("ages an attempt exactly: %s", (_, start, now, age) => {
    const store = new AttemptStore();
    const d = door("a");
    add(store, "10.0.0.1", d, start);
    expect(store.age(find(store, "10.0.0.1", d), now)).toBe(age);
  });

  it("picks victims oldest first among stage-1 attempts, then the oldest of any door", () => {
    const store = new AttemptStore();
    const d1 = door("a");
    const d2 = door("b");
    add(store, "10.0.0.1", d1, 1);
    add(store, "10.0.0.2", d2, 2);
    add(store, "10.0.0.3", d1, 3);
    const [a1, a2, a3] = [find(store, "10.0.0.1", d1), find(store, "10.0.0.2", d2), find(store, "10.0.0.3", d1)];
    store.advance(a1, 4); // stage 2: no longer a stage-1 victim
    expect(store.victim([d1, d2], 10)).toBe(a2);
    store.remove(a2);
    expect(store.victim([d1, d2], 10)).toBe(a3);
    store.remove(a3);
    // no stage-1 attempt left: the oldest overall
    expect(store.victim([d1, d2], 10)).toBe(a1);
    expect(store.headOf(d1)).toBe(a1);
    expect(store.headOf(d2)).toBe(-1);
  });

  it("keeps its lazy queues bounded while a long-lived attempt pins their heads", () => {
    const store = new AttemptStore();
    const d = door("a");
    add(store, "10.9.9.9", d, 0);
    for (let i = 0; i < 200_000; i++) {
      const a = store.add(ipOf(i), ipKey(ipOf(i)), hashIpKey(ipKey(ipOf(i)), SEED), d, i);
      if (i % 2 === 0) store.advance(a, i);
      store.remove(a);
    }
    store.settle();
    expect(store.count).toBe(1);
    // stale entries are compacted away whenever a queue opens a chunk: at most a chunk of them
    expect(d.queue.length).toBeLessThanOrEqual(QUEUE_CHUNK + 1);
    expect(store.footprint().stage1Queue).toBeLessThanOrEqual(2 * QUEUE_CHUNK);
    const pinned = find(store, "10.9.9.9", d);
    expect(store.headOf(d)).toBe(pinned);
    expect(store.victim([d], 0)).toBe(pinned);
  });

  it("leaves no stale queue entry behind an eviction or a timeout of the oldest attempt", () => {
    const store = new AttemptStore();
    const d = door("a");
    for (let i = 0; i < 5000; i++) add(store, ipOf(i), d, i);
    // a flood at the cap: each newcomer evicts the oldest stage-1 attempt
    for (let i = 5000; i < 50_000; i++) {
      store.remove(store.victim([d], i));
      add(store, ipOf(i), d, i);
    }
    // the oldest go by timeout (headOf, as expire() does)
    for (let k = 0; k < 1000; k++) store.remove(store.headOf(d));
    expect(store.count).toBe(4000);
    expect(d.queue.length).toBe(4000);
    expect(store.footprint().stage1Queue).toBeLessThanOrEqual(4000 + 2 * QUEUE_CHUNK);
  });

  it("gives a flood's memory back once it drains, with the survivors intact", () => {
    const store = new AttemptStore();
    const d1 = door("a");
    const d2 = door("b");
    const n = 300_000;
    for (let i = 0; i < n; i++) add(store, ipOf(i), i % 2 === 0 ? d1 : d2, i);
    // a second door's attempt for some IPs, so multi-door IPs survive renumbering
    for (let i = 0; i < n; i += 1000) add(store, ipOf(i), i % 2 === 0 ? d2 : d1, n + i);
    const grown = store.footprint();
    expect(grown.slots).toBeGreaterThanOrEqual(n * 2);
    // drain: all but every 1000th IP's first attempt go (in no particular order: not a queue walk)
    for (let i = n - 1; i >= 0; i--) {
      if (i % 1000 !== 0) {
        store.remove(find(store, ipOf(i), i % 2 === 0 ? d1 : d2));
        if (i % 7 === 0) store.settle(); // as the matcher does after each packet: shrinks (and renumbers) on the way
      }
    }
    store.settle();
    const left = store.count;
    expect(left).toBe(600);
    const shrunk = store.footprint();
    expect(shrunk.buckets).toBeLessThanOrEqual(1024);
    // every survivor still reachable by IP, with its door and start, and the queues still in start order
    let seen = 0;
    for (let i = 0; i < n; i += 1000) {
      for (const a of attemptsOf(store, ipOf(i))) {
        expect(store.ip(a)).toBe(ipOf(i));
        expect((2 * n - store.age(a, 2 * n)) % n).toBe(i);
        seen++;
      }
    }
    expect(seen).toBe(left);
    for (const d of [d1, d2]) {
      let last = Infinity;
      let count = 0;
      for (let a = store.headOf(d); a >= 0; a = store.headOf(d)) {
        expect(store.age(a, 2 * n)).toBeLessThan(last);
        last = store.age(a, 2 * n);
        store.remove(a);
        count++;
      }
      expect(count).toBeGreaterThan(0);
    }
    expect(store.count).toBe(0);
  });

  it("finds every key when buckets overflow (colliding hashes, wrap-around), and forgets the overflow when they go", () => {
    // Hashes chosen to share a home bucket (their low bits), including the last bucket, which overflows into the first.
    const store = new AttemptStore();
    const d = door("a");
    const buckets = store.footprint().buckets;
    const hashOf = (i: number, home: number): number => (home | (i << 12)) | 0;
    for (const home of [5, buckets - 1]) {
      const ips = Array.from({ length: 30 }, (_, i) => `10.77.${home & 255}.${i}`);
      ips.forEach((ip, i) => add(store, ip, d, i, hashOf(i, home)));
      const at = (i: number): number => find(store, ips[i]!, d, hashOf(i, home));
      const ids = ips.map((_, i) => at(i));
      expect(new Set(ids).size).toBe(30);
      expect(ids.every((a) => a >= 0)).toBe(true);
      // 30 entries from one home bucket of 3: the home and the next 8 buckets say they overflowed
      expect(store.footprint().overflowedBuckets).toBe(9);
      // an absent key with the same home is absent, however far the overflow goes
      expect(store.lookup(ipKey("10.77.255.255"), hashOf(99, home))).toBe(0);
      // remove the home bucket's first entries and some overflowed ones: the rest are still found
      for (const i of [0, 1, 2, 20, 29]) store.remove(ids[i]!);
      for (let i = 0; i < ips.length; i++) expect(at(i), `${home}:${i}`).toBe([0, 1, 2, 20, 29].includes(i) ? -1 : ids[i]);
      // refill: new keys take the freed entries and are found too
      const more = Array.from({ length: 5 }, (_, i) => `10.78.${home & 255}.${i}`);
      more.forEach((ip, i) => add(store, ip, d, 100 + i, hashOf(40 + i, home)));
      expect(more.every((ip, i) => find(store, ip, d, hashOf(40 + i, home)) >= 0)).toBe(true);
      expect(store.footprint().overflowedBuckets).toBe(9);
      for (let i = 0; i < ips.length; i++) if (![0, 1, 2, 20, 29].includes(i)) store.remove(ids[i]!);
      more.forEach((ip, i) => store.remove(find(store, ip, d, hashOf(40 + i, home))));
    }
    expect(store.count).toBe(0);
    // Every overflow count went back to zero: a lookup in any bucket stops at its home line.
    expect(store.footprint().overflowedBuckets).toBe(0);
    add(store, "10.79.0.1", d, 0, 5);
    expect(attemptsOf(store, "10.79.0.1", 5)).toHaveLength(1);
    expect(store.lookup(ipKey("10.79.0.2"), 5 | (1 << 12))).toBe(0);
  });

  it("matches a model with heavily colliding hashes (few buckets' worth of hash values)", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b")];
    const model = new Set<string>();
    let s = 11;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    // 3000 sources whose hashes take 8 low-bit values: long overflow runs across a few buckets
    const hashOf = (i: number): number => (((i % 8) * 16) | (i << 10)) | 0;
    const ipAt = (i: number): string => `10.${(i >>> 8) & 255}.${i & 255}.1`;
    for (let t = 0; t < 40_000; t++) {
      const i = random() % 3000;
      const d = doors[random() % 2]!;
      const k = `${i}|${d.id}`;
      if (!model.has(k)) {
        add(store, ipAt(i), d, t, hashOf(i));
        model.add(k);
      } else {
        store.remove(find(store, ipAt(i), d, hashOf(i)));
        store.settle();
        model.delete(k);
      }
      if (t % 5000 === 0) {
        // every source's attempts, as the model says
        let n = 0;
        for (let j = 0; j < 3000; j++) {
          for (const a of attemptsOf(store, ipAt(j), hashOf(j))) {
            expect(store.ip(a)).toBe(ipAt(j));
            expect(model.has(`${j}|${store.door(a).id}`)).toBe(true);
            n++;
          }
        }
        expect(n).toBe(model.size);
      }
    }
    expect(store.count).toBe(model.size);
    for (const k of model) {
      const [i, id] = k.split("|");
      store.remove(find(store, ipAt(Number(i)), doors.find((d) => d.id === id)!, hashOf(Number(i))));
    }
    expect(store.count).toBe(0);
    expect(store.footprint().overflowedBuckets).toBe(0);
  });

  it("with well-spread hashes, few buckets overflow (one line per lookup)", () => {
    const store = new AttemptStore();
    const d = door("a");
    for (let i = 0; i < 200_000; i++) add(store, ipOf(i), d, i);
    const f = store.footprint();
    // 200k entries in 256k buckets of 3 (0.76 per bucket on average): Poisson says < 1% receive more than 3
    expect(f.buckets).toBe(262_144);
    expect(f.overflowedBuckets / f.buckets).toBeLessThan(0.03);
  });

  it("matches a model under random adds, advances and removals", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b", true)];
    const model = new Map<string, { ip: string; door: DoorState; stage: number; start: number }>();
    let s = 7;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 60_000; t++) {
      const ip = ipOf(random() % 4000);
      const d = doors[random() % 2]!;
      const k = `${ip}|${d.id}`;
      const m = model.get(k);
      if (m === undefined) {
        add(store, ip, d, t);
        model.set(k, { ip, door: d, stage: 1, start: t });
      } else if (random() % 3 === 0) {
        store.advance(find(store, ip, d), t);
        m.stage++;
      } else {
        store.remove(find(store, ip, d));
        store.settle();
        model.delete(k);
      }
    }
    expect(store.count).toBe(model.size);
    for (const m of model.values()) {
      const a = find(store, m.ip, m.door);
      expect([store.ip(a), store.door(a), store.stage(a), store.age(a, 60_000)]).toEqual([m.ip, m.door, m.stage, 60_000 - m.start]);
    }
  });
});
