/**
 * Pending attempts, laid out so that a packet touches as few cache lines as
 * possible. With 1M pending every random memory read is a cache and TLB miss
 * (~90–170 ns each on the 2-core VM the benchmarks run on), and the object
 * version of this store paid about five of them per advancing packet (hash
 * slot, key, value, attempt, and the two neighbours unlinked from a list).
 *
 * - An attempt is an integer id. Its fields are one 64-byte row of a
 *   Float64Array (start, last step, stage, duplicate flag, door, next attempt
 *   of the same IP, generation, hash, key); its source text sits in a plain
 *   array, read for IPv6 keys and timeout events.
 * - Per IP: an open-addressing table of Int32 slot pairs [hash, head id + 1]
 *   (8 bytes, so more of it stays in cache): an unknown source costs one
 *   cache line, a known one that line plus the row (which holds the key). The attempts of one IP (at most one per door)
 *   chain through the row's `next`.
 * - Per door a FIFO in start order (deadlines are monotonic per door, so the
 *   head is the next timeout) and a global FIFO of stage-1 attempts (eviction
 *   victims under a spoofed flood: spoofers rarely get past stage 1, real
 *   users are at stage >= 2). Both are queues of (id, generation) with lazy
 *   deletion: removing or advancing an attempt touches no neighbour; stale
 *   entries are dropped when they reach the head and compacted away when they
 *   outnumber live ones.
 * - Everything shrinks back when a flood drains (rows are renumbered, table
 *   and queues rebuilt), so the memory a flood cost is given back.
 */
import type { IpKey } from "./matcher-ip-table";
import type { DoorState } from "./matcher-state";

/** Doubles per attempt row (one cache line) and the field offsets. */
const ROW = 8;
const START = 0;
const LAST = 1;
/** stage * 2 + (duplicate still tolerated ? 1 : 0) */
const STAGE_DUP = 2;
/** The IPv4 key (int32), or NaN when the key is the source text (IPv6). */
const KEY = 3;
/** Index into the door registry; -1 marks a free row. */
const DOOR = 4;
const NEXT = 5;
const GEN = 6;
const HASH = 7;

/** Int32s per table slot and their offsets. */
const SLOT = 2;
const S_HASH = 0;
const S_ID = 1;

const MIN_ROWS = 1024;
const MIN_SLOTS = 1024;
const MIN_QUEUE = 64;

/** A FIFO of (id, generation) pairs; entries go stale when their row is freed or (stage-1 queue) advanced. */
export class IdQueue {
  ids = new Int32Array(MIN_QUEUE);
  gens = new Int32Array(MIN_QUEUE);
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(id: number, gen: number): void {
    if (this.tail === this.ids.length) this.makeRoom();
    this.ids[this.tail] = id;
    this.gens[this.tail++] = gen;
  }

  clear(): void {
    this.head = this.tail = 0;
    if (this.ids.length > MIN_QUEUE) {
      this.ids = new Int32Array(MIN_QUEUE);
      this.gens = new Int32Array(MIN_QUEUE);
    }
  }

  /** Keeps the entries `keep` accepts (in order), mapping their ids; capacity follows the count. */
  rebuild(keep: (id: number, gen: number) => number): void {
    let n = 0;
    const { ids, gens, head, tail } = this;
    for (let k = head; k < tail; k++) {
      const id = keep(ids[k] ?? 0, gens[k] ?? 0);
      if (id >= 0) {
        ids[n] = id;
        gens[n++] = gens[k] ?? 0;
      }
    }
    let capacity = MIN_QUEUE;
    while (capacity < n * 2) capacity *= 2;
    if (capacity < ids.length) {
      this.ids = ids.slice(0, capacity);
      this.gens = gens.slice(0, capacity);
    }
    this.head = 0;
    this.tail = n;
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    if (this.head >= this.ids.length / 2) {
      // Slide down: the front half is consumed.
      this.ids.copyWithin(0, this.head, this.tail);
      this.gens.copyWithin(0, this.head, this.tail);
    } else {
      const ids = new Int32Array(this.ids.length * 2);
      const gens = new Int32Array(this.ids.length * 2);
      ids.set(this.ids.subarray(this.head, this.tail));
      gens.set(this.gens.subarray(this.head, this.tail));
      this.ids = ids;
      this.gens = gens;
    }
    this.head = 0;
    this.tail = live;
  }
}

export class AttemptStore {
  private rows = new Float64Array(MIN_ROWS * ROW);
  private texts: (string | undefined)[] = new Array<string | undefined>(MIN_ROWS).fill(undefined);
  /** Rows ever used: ids >= highWater are free and not in `free`. */
  private highWater = 0;
  private free = new Int32Array(MIN_ROWS);
  private freeTop = 0;
  private slots = new Int32Array(MIN_SLOTS * SLOT);
  private slotMask = MIN_SLOTS - 1;
  private slotCount = 0;
  private readonly stage1 = new IdQueue();
  private stage1Count = 0;
  /** Door registry: row DOOR field → DoorState. */
  private doors: (DoorState | undefined)[] = [];
  count = 0;

  // ---- reads (the matcher's hot path) ----

  /** First attempt id of an IP (by ipKey and its hash), or -1; follow next() for the others (at most one per door). */
  firstOf(key: IpKey, hash: number): number {
    const s = this.findSlot(key, hash);
    return s >= 0 ? (this.slots[s * SLOT + S_ID] ?? 0) - 1 : -1;
  }

  next(id: number): number {
    return this.rows[id * ROW + NEXT] ?? -1;
  }

  door(id: number): DoorState {
    return this.doors[this.rows[id * ROW + DOOR] ?? 0] as DoorState;
  }

  start(id: number): number {
    return this.rows[id * ROW + START] ?? 0;
  }

  stage(id: number): number {
    return (this.rows[id * ROW + STAGE_DUP] ?? 0) >> 1;
  }

  lastStepAt(id: number): number {
    return this.rows[id * ROW + LAST] ?? 0;
  }

  dupOk(id: number): boolean {
    return ((this.rows[id * ROW + STAGE_DUP] ?? 0) & 1) === 1;
  }

  clearDupOk(id: number): void {
    this.rows[id * ROW + STAGE_DUP] = this.stage(id) * 2;
  }

  ip(id: number): string {
    return this.texts[id] ?? "";
  }

  /** Oldest live attempt of a door (its next deadline), or -1. Drops stale queue entries on the way. */
  headOf(door: DoorState): number {
    const q = door.queue;
    while (q.head < q.tail) {
      const id = q.ids[q.head] ?? 0;
      if (this.isLive(id, q.gens[q.head] ?? 0)) return id;
      q.head++;
    }
    return -1;
  }

  /** Sizes of the structures, for tests and memory accounting. */
  footprint(): { rows: number; slots: number; stage1Queue: number } {
    return { rows: this.rows.length / ROW, slots: this.slotMask + 1, stage1Queue: this.stage1.ids.length };
  }

  // ---- writes ----

  /** Starts an attempt at stage 1; returns its id. */
  add(ip: string, key: IpKey, hash: number, door: DoorState, now: number): number {
    const id = this.allocRow();
    const r = id * ROW;
    const rows = this.rows;
    rows[r + START] = now;
    rows[r + LAST] = now;
    rows[r + STAGE_DUP] = 3;
    rows[r + KEY] = typeof key === "number" ? key : NaN;
    rows[r + DOOR] = this.doorIndex(door);
    rows[r + NEXT] = -1;
    rows[r + HASH] = hash;
    this.texts[id] = ip;
    const gen = rows[r + GEN] ?? 0;
    door.pending++;
    this.stage1Count++;
    this.pushQueue(door.queue, id, gen, door.pending, false);
    this.pushQueue(this.stage1, id, gen, this.stage1Count, true);
    // per-IP chain: append, so events come out in start order
    const s = this.findSlot(key, hash);
    if (s < 0) {
      this.insertSlot(~s, hash, id);
    } else {
      let last = (this.slots[s * SLOT + S_ID] ?? 0) - 1;
      for (let n = this.next(last); n >= 0; n = this.next(n)) last = n;
      rows[last * ROW + NEXT] = id;
    }
    this.count++;
    return id;
  }

  /** Records one more matched step. */
  advance(id: number, now: number): void {
    const r = id * ROW;
    const stage = this.stage(id);
    if (stage === 1) this.stage1Count--; // its stage-1 queue entry is now stale
    this.rows[r + STAGE_DUP] = (stage + 1) * 2 + 1;
    this.rows[r + LAST] = now;
  }

  /** Removes an attempt from every index: its queue entries go stale, no neighbour is touched. */
  remove(id: number): void {
    const r = id * ROW;
    const rows = this.rows;
    const door = this.door(id);
    door.pending--;
    if (this.stage(id) === 1) this.stage1Count--;
    this.unlinkIp(id, (rows[r + HASH] ?? 0) | 0);
    rows[r + DOOR] = -1;
    rows[r + GEN] = ((rows[r + GEN] ?? 0) + 1) & 0x7fffffff;
    this.texts[id] = undefined;
    this.free[this.freeTop++] = id;
    this.count--;
    if (door.pending === 0) door.queue.clear();
    if (this.stage1Count === 0) this.stage1.clear();
  }

  /**
   * Shrinks everything once the count has fallen to 1/8 of the rows in use.
   * Renumbers ids: call it only where the caller holds none (end of a packet
   * or of expire()).
   */
  settle(): void {
    if (this.count * 8 < this.highWater && this.highWater > MIN_ROWS) this.compact();
  }

  /** Removes every attempt of a door (config change, used one-time sequence). */
  removeDoor(door: DoorState): void {
    for (let id = this.headOf(door); id >= 0; id = this.headOf(door)) this.remove(id);
    door.queue.clear();
    const index = this.doors.indexOf(door);
    if (index >= 0) this.doors[index] = undefined;
    door.storeIndex = -1;
  }

  /**
   * The attempt to sacrifice at the cap: the oldest stage-1 attempt, else the
   * oldest attempt of any door (min over the door FIFO heads; doors are few).
   */
  victim(doors: Iterable<DoorState>): number {
    const q = this.stage1;
    while (q.head < q.tail) {
      const id = q.ids[q.head] ?? 0;
      if (this.isLiveStage1(id, q.gens[q.head] ?? 0)) return id;
      q.head++;
    }
    let oldest = -1;
    for (const d of doors) {
      const id = this.headOf(d);
      if (id >= 0 && (oldest < 0 || this.start(id) < this.start(oldest))) oldest = id;
    }
    return oldest;
  }

  // ---- internals ----

  /** A queue entry still names its attempt: the row was not freed (or reused) since. */
  private isLive(id: number, gen: number): boolean {
    return id < this.highWater && this.rows[id * ROW + GEN] === gen && (this.rows[id * ROW + DOOR] ?? -1) >= 0;
  }

  /** A stage-1 queue entry still names an attempt at stage 1. */
  private isLiveStage1(id: number, gen: number): boolean {
    return this.isLive(id, gen) && (this.rows[id * ROW + STAGE_DUP] ?? 0) >> 1 === 1;
  }

  private doorIndex(door: DoorState): number {
    if (door.storeIndex < 0 || this.doors[door.storeIndex] !== door) {
      let index = this.doors.indexOf(undefined);
      if (index < 0) index = this.doors.push(undefined) - 1;
      this.doors[index] = door;
      door.storeIndex = index;
    }
    return door.storeIndex;
  }

  private allocRow(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop] ?? 0;
    if (this.highWater * ROW === this.rows.length) this.resizeRows((this.rows.length / ROW) * 2);
    return this.highWater++;
  }

  private resizeRows(capacity: number): void {
    const rows = new Float64Array(capacity * ROW);
    rows.set(this.rows.subarray(0, Math.min(this.rows.length, capacity * ROW)));
    this.rows = rows;
    const texts = new Array<string | undefined>(capacity).fill(undefined);
    for (let i = 0; i < Math.min(capacity, this.highWater); i++) texts[i] = this.texts[i];
    this.texts = texts;
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeTop));
    this.free = free;
  }

  /** Appends to a queue, first dropping stale entries when they outnumber the live ones. */
  private pushQueue(q: IdQueue, id: number, gen: number, live: number, stage1: boolean): void {
    if (q.tail === q.ids.length && q.length > live * 2) {
      q.rebuild((i, g) => ((stage1 ? this.isLiveStage1(i, g) : this.isLive(i, g)) ? i : -1));
    }
    q.push(id, gen);
  }

  /**
   * Renumbers live attempts to the lowest ids and shrinks every structure to
   * fit: after a flood drains, its memory goes back. O(rows), at most once per
   * halving of the count, so amortized O(1) per removal.
   */
  private compact(): void {
    const { rows, texts, highWater } = this;
    const map = new Int32Array(highWater).fill(-1);
    let n = 0;
    for (let id = 0; id < highWater; id++) if ((rows[id * ROW + DOOR] ?? -1) >= 0) map[id] = n++;
    let capacity = MIN_ROWS;
    while (capacity < n * 2) capacity *= 2;
    const next = new Float64Array(capacity * ROW);
    const nextTexts = new Array<string | undefined>(capacity).fill(undefined);
    for (let id = 0; id < highWater; id++) {
      const to = map[id] ?? -1;
      if (to < 0) continue;
      next.set(rows.subarray(id * ROW, id * ROW + ROW), to * ROW);
      const link = rows[id * ROW + NEXT] ?? -1;
      next[to * ROW + NEXT] = link >= 0 ? (map[link] ?? -1) : -1;
      nextTexts[to] = texts[id];
    }
    // Queue entries are checked against the old rows (this.rows is swapped below), then renumbered.
    this.stage1.rebuild((id, gen) => (this.isLiveStage1(id, gen) ? (map[id] ?? -1) : -1));
    for (const d of this.doors) d?.queue.rebuild((id, gen) => (this.isLive(id, gen) ? (map[id] ?? -1) : -1));
    const { slots } = this;
    for (let s = 0; s <= this.slotMask; s++) {
      const head = (slots[s * SLOT + S_ID] ?? 0) - 1;
      if (head >= 0) slots[s * SLOT + S_ID] = (map[head] ?? 0) + 1;
    }
    this.rows = next;
    this.texts = nextTexts;
    this.highWater = n;
    this.free = new Int32Array(capacity);
    this.freeTop = 0;
  }

  /** Slot index of a key, or ~(free slot where it would go). */
  private findSlot(key: IpKey, hash: number): number {
    const { slots, slotMask, rows } = this;
    let i = hash & slotMask;
    for (let id = slots[i * SLOT + S_ID] ?? 0; id !== 0; id = slots[i * SLOT + S_ID] ?? 0) {
      if (slots[i * SLOT + S_HASH] === hash && (typeof key === "number" ? rows[(id - 1) * ROW + KEY] === key : this.texts[id - 1] === key)) return i;
      i = (i + 1) & slotMask;
    }
    return ~i;
  }

  private insertSlot(i: number, hash: number, id: number): void {
    this.slots[i * SLOT + S_HASH] = hash;
    this.slots[i * SLOT + S_ID] = id + 1;
    if (++this.slotCount * 2 > this.slotMask + 1) this.resizeSlots((this.slotMask + 1) * 2);
  }

  /** Takes an attempt out of its IP's chain (and the table when it was the last one). */
  private unlinkIp(id: number, hash: number): void {
    const { slots, slotMask, rows } = this;
    // The slot whose chain holds this id: equal hash, chain walked from its head (chains are <= doors long).
    for (let i = hash & slotMask; slots[i * SLOT + S_ID] !== 0; i = (i + 1) & slotMask) {
      if (slots[i * SLOT + S_HASH] !== hash) continue;
      const head = (slots[i * SLOT + S_ID] ?? 0) - 1;
      const after = rows[id * ROW + NEXT] ?? -1;
      if (head === id) {
        if (after >= 0) slots[i * SLOT + S_ID] = after + 1;
        else this.deleteSlot(i);
        return;
      }
      for (let prev = head, cur = this.next(head); cur >= 0; prev = cur, cur = this.next(cur)) {
        if (cur === id) {
          rows[prev * ROW + NEXT] = after;
          return;
        }
      }
    }
  }

  /** Backward-shift deletion: no tombstones, so probe runs depend only on the load, never on history. */
  private deleteSlot(hole: number): void {
    const { slots, slotMask: mask } = this;
    for (let j = (hole + 1) & mask; slots[j * SLOT + S_ID] !== 0; j = (j + 1) & mask) {
      const home = (slots[j * SLOT + S_HASH] ?? 0) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots.copyWithin(hole * SLOT, j * SLOT, j * SLOT + SLOT);
        hole = j;
      }
    }
    slots[hole * SLOT + S_ID] = 0;
    if (--this.slotCount * 8 < mask + 1 && mask >= MIN_SLOTS) this.resizeSlots((mask + 1) / 2);
  }

  private resizeSlots(capacity: number): void {
    const old = this.slots;
    this.slots = new Int32Array(capacity * SLOT);
    this.slotMask = capacity - 1;
    for (let o = 0; o < old.length; o += SLOT) {
      if (old[o + S_ID] === 0) continue;
      let i = (old[o + S_HASH] ?? 0) & this.slotMask;
      while (this.slots[i * SLOT + S_ID] !== 0) i = (i + 1) & this.slotMask;
      this.slots.set(old.subarray(o, o + SLOT), i * SLOT);
    }
  }
}
