import { describe, expect, it } from "vitest";
import { door as doorOf } from "./matcher-fixtures";
import { hashIpKey, ipKey } from "./matcher-ip-table";
import { DoorState } from "./matcher-state";
import { AttemptStore, IdQueue, QUEUE_CHUNK, lowestFlag, tagMatches } from "./matcher-store";

function door(id: string): DoorState {
  const d = doorOf(id, "7000,8000,9000", { seqTimeoutMs: 5000, tcpFlags: { set: ["syn"], clear: [] } });
  return new DoorState(d, d.sequence);
}

const SEED = 99;
const ipOf = (i: number): string => (i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);

function add(store: AttemptStore, ip: string, d: DoorState, now: number): number {
  const key = ipKey(ip);
  return store.add(ip, key, hashIpKey(key, SEED), d, now);
}

/** Ids of an IP's attempts, in chain order. */
function chain(store: AttemptStore, ip: string): number[] {
  const key = ipKey(ip);
  const ids: number[] = [];
  for (let a = store.firstOf(key, hashIpKey(key, SEED)); a >= 0; a = store.next(a)) ids.push(a);
  return ids;
}

describe("bucket tag word (7 four-bit tags)", () => {
  const pack = (tags: number[]): number => tags.reduce((w, t, k) => w | (t << (k * 4)), 0);
  const flagged = (m: number): number[] => [0, 1, 2, 3, 4, 5, 6].filter((k) => (m & (8 << (k * 4))) !== 0);

  it.each<[number[], number, number[]]>([
    [[0, 0, 0, 0, 0, 0, 0], 5, []],
    [[5, 0, 0, 0, 0, 0, 0], 5, [0]],
    [[1, 2, 3, 4, 5, 6, 7], 7, [6]],
    [[9, 9, 9, 9, 9, 9, 9], 9, [0, 1, 2, 3, 4, 5, 6]],
    [[15, 1, 15, 1, 15, 1, 15], 1, [1, 3, 5]],
  ])("%j: tag %i in slots %j", (tags, tag, expected) => {
    const m = tagMatches(pack(tags), tag);
    for (const k of expected) expect(flagged(m)).toContain(k);
    if (expected.length > 0) expect(lowestFlag(m)).toBe(expected[0]);
    else expect(m).toBe(0);
  });

  it("flags every equal tag and no slot below the first one, on random words", () => {
    let s = 3;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 20_000; n++) {
      const tags = Array.from({ length: 7 }, () => (random() >>> 8) % 16);
      const tag = 1 + ((random() >>> 8) % 15);
      const m = tagMatches(pack(tags), tag);
      const equal = [0, 1, 2, 3, 4, 5, 6].filter((k) => tags[k] === tag);
      for (const k of equal) expect(flagged(m)).toContain(k);
      if (equal.length > 0) expect(lowestFlag(m)).toBe(equal[0]);
      // the free-slot scan is the same test for tag 0, through the same arithmetic
      const free = tagMatches(pack(tags), 0);
      const empty = tags.indexOf(0);
      if (empty >= 0) expect(lowestFlag(free)).toBe(empty);
      else expect(free).toBe(0);
    }
  });
});

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
  it("chains one IP's attempts across doors in start order and unlinks any of them", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b"), door("c")];
    for (const ip of ["10.0.0.1", "2001:db8::1"]) {
      const ids = doors.map((d, i) => add(store, ip, d, 100 + i));
      expect(chain(store, ip)).toEqual(ids);
      store.remove(ids[1]!); // middle
      expect(chain(store, ip).map((a) => store.door(a).id)).toEqual(["a", "c"]);
      store.remove(ids[0]!); // head
      expect(chain(store, ip).map((a) => store.door(a).id)).toEqual(["c"]);
      store.remove(ids[2]!); // last
      expect(chain(store, ip)).toEqual([]);
    }
    expect(store.count).toBe(0);
  });

  it("keeps each attempt's fields and its IP's text (IPv4 and IPv6)", () => {
    const store = new AttemptStore();
    const d = door("a");
    const a = add(store, "192.0.2.7", d, 1000);
    const b = add(store, "2001:db8::7", d, 1001);
    store.advance(a, 1500);
    store.clearDupOk(b);
    expect([store.ip(a), store.stage(a), store.start(a), store.lastStepAt(a), store.dupOk(a)]).toEqual(["192.0.2.7", 2, 1000, 1500, true]);
    expect([store.ip(b), store.stage(b), store.start(b), store.dupOk(b)]).toEqual(["2001:db8::7", 1, 1001, false]);
  });

  it("picks victims oldest first among stage-1 attempts, then the oldest of any door", () => {
    const store = new AttemptStore();
    const d1 = door("a");
    const d2 = door("b");
    const ids = [add(store, "10.0.0.1", d1, 1), add(store, "10.0.0.2", d2, 2), add(store, "10.0.0.3", d1, 3)];
    store.advance(ids[0]!, 4); // stage 2: no longer a stage-1 victim
    expect(store.victim([d1, d2])).toBe(ids[1]);
    store.remove(ids[1]!);
    expect(store.victim([d1, d2])).toBe(ids[2]);
    store.remove(ids[2]!);
    // no stage-1 attempt left: the oldest overall
    expect(store.victim([d1, d2])).toBe(ids[0]);
    expect(store.headOf(d1)).toBe(ids[0]);
    expect(store.headOf(d2)).toBe(-1);
  });

  it("keeps its lazy queues bounded while a long-lived attempt pins their heads", () => {
    const store = new AttemptStore();
    const d = door("a");
    const pinned = add(store, "10.9.9.9", d, 0);
    for (let i = 0; i < 200_000; i++) {
      const a = add(store, ipOf(i), d, i);
      if (i % 2 === 0) store.advance(a, i);
      store.remove(a);
    }
    store.settle();
    expect(store.count).toBe(1);
    // stale entries are compacted away whenever a queue opens a chunk: at most a chunk of them
    expect(d.queue.length).toBeLessThanOrEqual(QUEUE_CHUNK + 1);
    expect(store.footprint().stage1Queue).toBeLessThanOrEqual(2 * QUEUE_CHUNK);
    expect(store.headOf(d)).toBe(pinned);
    expect(store.victim([d])).toBe(pinned);
  });

  it("leaves no stale queue entry behind an eviction or a timeout of the oldest attempt", () => {
    const store = new AttemptStore();
    const d = door("a");
    for (let i = 0; i < 5000; i++) add(store, ipOf(i), d, i);
    // a flood at the cap: each newcomer evicts the oldest stage-1 attempt
    for (let i = 5000; i < 50_000; i++) {
      store.remove(store.victim([d]));
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
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(add(store, ipOf(i), i % 2 === 0 ? d1 : d2, i));
    // a second door's attempt for some IPs, so chains survive renumbering
    for (let i = 0; i < n; i += 1000) add(store, ipOf(i), i % 2 === 0 ? d2 : d1, n + i);
    const grown = store.footprint();
    expect(grown.rows).toBeGreaterThanOrEqual(n);
    expect(grown.slots).toBeGreaterThanOrEqual(n * 2);
    // drain: all but every 1000th IP's first attempt go (in no particular order: not a queue walk)
    for (let i = n - 1; i >= 0; i--) if (i % 1000 !== 0) store.remove(ids[i]!);
    store.settle();
    const left = store.count;
    expect(left).toBe(600);
    const shrunk = store.footprint();
    expect(shrunk.rows).toBeLessThanOrEqual(4096);
    expect(shrunk.slots).toBeLessThanOrEqual(8192);
    // every survivor still reachable by IP, with its door and start, and the queues still in start order
    let seen = 0;
    for (let i = 0; i < n; i += 1000) {
      for (const a of chain(store, ipOf(i))) {
        expect(store.ip(a)).toBe(ipOf(i));
        expect(store.start(a) % n).toBe(i);
        seen++;
      }
    }
    expect(seen).toBe(left);
    for (const d of [d1, d2]) {
      let last = -1;
      let count = 0;
      for (let a = store.headOf(d); a >= 0; a = store.headOf(d)) {
        expect(store.start(a)).toBeGreaterThan(last);
        last = store.start(a);
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
    const buckets = store.footprint().slots / 8;
    // top 4 bits (the slot tag) cycle through all 16 values, so tags collide (0 and 1 share tag 1) and differ
    const hashOf = (i: number, home: number): number => (home | (i << 12) | ((i % 16) << 28)) | 0;
    for (const home of [5, buckets - 1]) {
      const ips = Array.from({ length: 30 }, (_, i) => `10.77.${home & 255}.${i}`);
      const ids = ips.map((ip, i) => store.add(ip, ipKey(ip), hashOf(i, home), d, i));
      const find = (i: number): number => store.firstOf(ipKey(ips[i]!), hashOf(i, home));
      expect(ips.map((_, i) => find(i))).toEqual(ids);
      // 30 entries from one home bucket of 7 slots: the home and the next 3 buckets say they overflowed
      expect(store.footprint().overflowedBuckets).toBe(4);
      // an absent key with the same home is absent, however far the overflow goes
      expect(store.firstOf(ipKey("10.77.255.255"), hashOf(99, home))).toBe(-1);
      // remove the home bucket's first entries and some overflowed ones: the rest are still found
      for (const i of [0, 1, 2, 20, 29]) store.remove(ids[i]!);
      for (let i = 0; i < ips.length; i++) expect(find(i), `${home}:${i}`).toBe([0, 1, 2, 20, 29].includes(i) ? -1 : ids[i]);
      // refill: new keys take the freed slots and are found too
      const more = Array.from({ length: 5 }, (_, i) => `10.78.${home & 255}.${i}`);
      const moreIds = more.map((ip, i) => store.add(ip, ipKey(ip), hashOf(40 + i, home), d, 100 + i));
      expect(more.map((ip, i) => store.firstOf(ipKey(ip), hashOf(40 + i, home)))).toEqual(moreIds);
      for (let i = 0; i < ips.length; i++) if (![0, 1, 2, 20, 29].includes(i)) store.remove(ids[i]!);
      for (const id of moreIds) store.remove(id);
    }
    expect(store.count).toBe(0);
    // Every overflow count went back to zero: a lookup in any bucket stops at its home line.
    expect(store.footprint().overflowedBuckets).toBe(0);
    const a = store.add("10.79.0.1", ipKey("10.79.0.1"), 5, d, 0);
    expect(store.firstOf(ipKey("10.79.0.1"), 5)).toBe(a);
    expect(store.firstOf(ipKey("10.79.0.2"), 5 | (1 << 12))).toBe(-1);
  });

  it("matches a model with heavily colliding hashes (few buckets' worth of hash values)", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b")];
    const model = new Map<string, number>();
    let s = 11;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    // 3000 sources whose hashes take 8 low-bit values: long overflow runs across a few buckets
    const hashOf = (i: number): number => (((i % 8) * 16) | (i << 10) | (((i * 7) % 16) << 28)) | 0;
    for (let t = 0; t < 40_000; t++) {
      const i = random() % 3000;
      const ip = `10.${(i >>> 8) & 255}.${i & 255}.1`;
      const d = doors[random() % 2]!;
      const k = `${i}|${d.id}`;
      const existing = model.get(k);
      if (existing === undefined) model.set(k, store.add(ip, ipKey(ip), hashOf(i), d, t));
      else {
        store.remove(existing);
        model.delete(k);
      }
      if (t % 5000 === 0) {
        store.settle();
        model.clear();
        // settle may renumber: re-read (and check) every chain from the table
        for (let j = 0; j < 3000; j++) {
          const jp = `10.${(j >>> 8) & 255}.${j & 255}.1`;
          for (let a = store.firstOf(ipKey(jp), hashOf(j)); a >= 0; a = store.next(a)) {
            expect(store.ip(a)).toBe(jp);
            model.set(`${j}|${store.door(a).id}`, a);
          }
        }
        expect(model.size).toBe(store.count);
      }
    }
    for (const [k, a] of model) {
      const i = Number(k.split("|")[0]);
      const ip = `10.${(i >>> 8) & 255}.${i & 255}.1`;
      let found = false;
      for (let x = store.firstOf(ipKey(ip), hashOf(i)); x >= 0; x = store.next(x)) found ||= x === a;
      expect(found, k).toBe(true);
    }
    expect(store.count).toBe(model.size);
    for (const a of model.values()) store.remove(a);
    expect(store.footprint().overflowedBuckets).toBe(0);
  });

  it("with well-spread hashes, few buckets overflow (one line per lookup)", () => {
    const store = new AttemptStore();
    const d = door("a");
    for (let i = 0; i < 200_000; i++) add(store, ipOf(i), d, i);
    const f = store.footprint();
    // 200k entries in 64k buckets of 7 (3.05 per bucket on average): Poisson says ~1.2% hold more than 7
    expect(f.slots / 8).toBe(65_536);
    expect(f.overflowedBuckets / (f.slots / 8)).toBeLessThan(0.03);
  });

  it("matches a model under random adds, advances and removals", () => {
    const store = new AttemptStore();
    const doors = [door("a"), door("b")];
    const model = new Map<string, { ip: string; door: string; stage: number; start: number }>();
    const idOf = new Map<string, number>();
    let s = 7;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 60_000; t++) {
      const ip = ipOf(random() % 4000);
      const d = doors[random() % 2]!;
      const k = `${ip}|${d.id}`;
      const existing = idOf.get(k);
      if (existing === undefined) {
        idOf.set(k, add(store, ip, d, t));
        model.set(k, { ip, door: d.id, stage: 1, start: t });
      } else if (random() % 3 === 0) {
        store.advance(existing, t);
        model.get(k)!.stage++;
      } else {
        store.remove(existing);
        idOf.delete(k);
        model.delete(k);
      }
      if (t % 10_000 === 0) {
        // settle renumbers: re-read ids from the chains
        store.settle();
        idOf.clear();
        for (const m of model.values()) {
          const a = chain(store, m.ip).find((x) => store.door(x).id === m.door);
          expect(a).toBeDefined();
          idOf.set(`${m.ip}|${m.door}`, a!);
        }
      }
    }
    expect(store.count).toBe(model.size);
    for (const [k, m] of model) {
      const a = idOf.get(k)!;
      expect([store.ip(a), store.door(a).id, store.stage(a), store.start(a)]).toEqual([m.ip, m.door, m.stage, m.start]);
    }
  });
});
