/**
 * Pending attempts, laid out so that a packet touches as few cache lines as
 * possible. With 1M pending every random memory read is a cache and TLB miss
 * (~90–170 ns each on the 2-core VM the benchmarks run on), and the object
 * version of this store paid about five of them per advancing packet (hash
 * slot, key, value, attempt, and the two neighbours unlinked from a list).
 *
 * - An attempt is an integer id. Its fields are one 32-byte row (start time,
 *   last step, hash, IPv4 key, door/stage/flags, next attempt of the same IP,
 *   generation), aligned so it sits in one cache line. IPv6 source text is
 *   kept aside (IPv4 text is rebuilt from the key when an event needs it).
 * - Per IP: an open-addressing table of Int32 slot pairs [hash, head id + 1]
 *   in buckets of one cache line: 7 slots and a control pair [overflow
 *   count, 7 four-bit tags] (as in folly's F14 and Abseil's Swiss tables).
 *   A slot's tag is 4 bits of its hash (0: empty), so one word tells which
 *   slots can hold a hash (1 in 15 false candidates) and which are free. The
 *   overflow count is the number of entries placed past the bucket because
 *   it was full: a lookup goes on to the next bucket only when it is not zero
 *   (about 2% of buckets at the loads kept here), so an unknown source costs
 *   one line, a known one that line plus its row. Deleting clears the slot,
 *   its tag and the counts along its probe: no tombstones, no entry ever
 *   moves. The attempts of one IP (at most one per door) chain through the
 *   row's `next`.
 * - Per door a FIFO in start order (deadlines are monotonic per door, so the
 *   head is the next timeout) and a global FIFO of stage-1 attempts (eviction
 *   victims under a spoofed flood: spoofers rarely get past stage 1, real
 *   users are at stage >= 2). Both are chunked queues of (id, generation)
 *   with lazy deletion: removing or advancing an attempt touches no
 *   neighbour; stale entries are dropped when they reach the head and
 *   compacted away when they outnumber live ones.
 * - warm()/warmVictims() read ahead what a batch of packets will touch (see
 *   Matcher.handleBatch), so those misses overlap instead of queueing.
 * - Everything shrinks back when a flood drains (rows are renumbered, table
 *   and queues rebuilt), so the memory a flood cost is given back.
 */
import type { IpKey } from "./matcher-ip-table";
import type { DoorState } from "./matcher-state";

/** Int32s per attempt row (32 bytes: two rows per cache line) and the field offsets. */
const ROW = 8;
/** The start time, a float64 over Int32s 0 and 1 (read through the Float64Array view at id * 4). */
const START_F64 = 0;
/** Last matched step, as ms after the start (clamped: only the 1 s duplicate window reads it). */
const LAST_DELTA = 2;
const HASH = 3;
/** The IPv4 key (int32); 0 when the key is the source text (IPv6, see META_TEXT). */
const KEY = 4;
/** door index << 8 | stage << 2 | text key << 1 | duplicate still tolerated; -1 marks a free row. */
const META = 5;
const NEXT = 6;
const GEN = 7;
/** Stages fit in 6 bits of META (sequences are capped at 32 knocks upstream). */
export const MAX_STAGES = 63;
const META_DUP = 1;
const META_TEXT = 2;
const MAX_DELTA = 0x7fffffff;

/**
 * Memory for the store's arrays, starting on a cache line so that a row (32
 * bytes) or a table bucket (64) never straddles two lines. An ArrayBuffer's
 * bytes come from malloc, 16-byte aligned: glibc serves big blocks with mmap
 * (16 bytes into a page) only until a big block is freed; its dynamic mmap
 * threshold then sends blocks up to that size to the heap, at any 16-byte
 * offset (measured with cachegrind: 4.5 vs 6 missed lines per store op, by
 * run). WebAssembly memory is page-aligned, always; arrays too small to
 * outgrow the caches (idle doors, tests) stay plain ArrayBuffers, so a
 * process holds few wasm memories (each reserves address space, not RAM).
 */
const ALIGNED_FROM_BYTES = 1 << 20;
const WASM_PAGE = 65_536;
/** The WebAssembly global (core's lib settings have no DOM/wasm value types); absent under --jitless. */
const wasm = (globalThis as { WebAssembly?: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

function lineAligned(bytes: number): ArrayBuffer {
  if (bytes >= ALIGNED_FROM_BYTES && wasm !== undefined) {
    try {
      return new wasm.Memory({ initial: Math.ceil(bytes / WASM_PAGE) }).buffer;
    } catch {
      // No address space for it (a ulimit -v, a 32-bit host): alignment costs time, never correctness.
    }
  }
  return new ArrayBuffer(bytes);
}

function rowBuffers(capacity: number): { i32: Int32Array<ArrayBuffer>; f64: Float64Array<ArrayBuffer> } {
  const buf = lineAligned(capacity * ROW * 4);
  return { i32: new Int32Array(buf, 0, capacity * ROW), f64: new Float64Array(buf, 0, capacity * (ROW / 2)) };
}

function slotArray(capacity: number): Int32Array<ArrayBuffer> {
  return new Int32Array(lineAligned(capacity * SLOT * 4), 0, capacity * SLOT);
}

/** Dotted-quad text of an IPv4 key (ipKey() accepts only this canonical form, so it round-trips). */
function ipv4Text(k: number): string {
  return `${(k >>> 24) & 255}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}

/** Int32s per table slot and their offsets. */
const SLOT = 2;
const S_HASH = 0;
const S_ID = 1;
/** Slots per bucket (one 64-byte line); the last one is the control pair [overflow count, tags]. */
const BUCKET_SLOTS = 8;
const BUCKET_BITS = 3;
const CONTROL = 7;
/** Control word: the tag of slot k (k < 7) at bits 4k; ONES has a 1 in each tag, HIGHS each tag's top bit. */
const ONES = 0x1111111;
const HIGHS = 0x8888888;

/** A slot's tag: the hash's top 4 bits (the bucket comes from the low bits), never 0 (0 is an empty slot). */
function tagOf(hash: number): number {
  return hash >>> 28 || 1;
}

/**
 * Top bits of the tags in `tags` that may equal `tag` (1..15; 0 finds free
 * slots): every equal one is flagged; a borrow may flag a few more above
 * one, so callers check the slot's full hash. The lowest flag is always exact.
 */
export function tagMatches(tags: number, tag: number): number {
  const x = tags ^ Math.imul(tag, ONES);
  return (x - ONES) & ~x & HIGHS;
}

/** Slot (0..6) of the lowest flag of tagMatches(). */
export function lowestFlag(m: number): number {
  return (31 - Math.clz32(m & -m)) >> 2;
}
/**
 * The table doubles past 4 entries per bucket on average (Poisson: ~5% of
 * buckets then hold more than 7 and overflow; ~0.1% just after doubling)
 * and halves below 1/2.
 */
const MAX_PER_BUCKET = 4;

const MIN_ROWS = 1024;
const MIN_BUCKETS = 128;

const CHUNK_BITS = 10;
/** Entries per IdQueue chunk (8 KB: pairs of Int32). */
export const QUEUE_CHUNK = 1 << CHUNK_BITS;

/**
 * A FIFO of (id, generation) pairs; entries go stale when their row is freed
 * or (stage-1 queue) advanced. Chunked: a push never copies the queue (a
 * 1M-entry queue doubling in one go stalled the packet path for
 * milliseconds), and chunks the head has passed are released.
 */
export class IdQueue {
  /** Chunks of QUEUE_CHUNK [id, gen] pairs; the head is in the first, the tail in the last. */
  private chunks: Int32Array[] = [];
  /** Entry index of the head within chunks[0]. */
  private headAt = 0;
  /** Entries used in the last chunk (QUEUE_CHUNK: full, the next push opens a chunk). */
  private tailAt = QUEUE_CHUNK;
  length = 0;

  /** Chunks held (for memory accounting in tests). */
  get capacity(): number {
    return this.chunks.length * QUEUE_CHUNK;
  }

  /** Whether the next push opens a chunk (the moment to consider compacting). */
  get full(): boolean {
    return this.tailAt === QUEUE_CHUNK;
  }

  push(id: number, gen: number): void {
    if (this.tailAt === QUEUE_CHUNK) {
      this.chunks.push(new Int32Array(QUEUE_CHUNK * 2));
      this.tailAt = 0;
    }
    const c = this.chunks[this.chunks.length - 1] as Int32Array;
    c[this.tailAt * 2] = id;
    c[this.tailAt * 2 + 1] = gen;
    this.tailAt++;
    this.length++;
  }

  /** Id of the k-th entry from the head (k < length). */
  idAt(k: number): number {
    const p = this.headAt + k;
    return (this.chunks[p >> CHUNK_BITS] as Int32Array)[(p & (QUEUE_CHUNK - 1)) * 2] ?? 0;
  }

  /** Generation of the k-th entry from the head (k < length). */
  genAt(k: number): number {
    const p = this.headAt + k;
    return (this.chunks[p >> CHUNK_BITS] as Int32Array)[(p & (QUEUE_CHUNK - 1)) * 2 + 1] ?? 0;
  }

  /** Drops the head entry (length > 0). */
  shift(): void {
    if (--this.length === 0) {
      this.clear();
    } else if (++this.headAt === QUEUE_CHUNK) {
      this.chunks.shift();
      this.headAt = 0;
    }
  }

  /** Empties the queue, keeping one chunk (a door that keeps going idle would otherwise allocate one per attempt). */
  clear(): void {
    const spare = this.chunks[0];
    this.chunks = spare === undefined ? [] : [spare];
    this.headAt = 0;
    this.tailAt = spare === undefined ? QUEUE_CHUNK : 0;
    this.length = 0;
  }

  /**
   * Keeps the entries `keep` accepts (in order), mapping their ids. In
   * place: kept entries move towards the head within the same chunks, and
   * the chunks left empty behind them are released (a flood rebuilds its
   * queues at every table doubling; new chunks each time fragmented the heap).
   */
  rebuild(keep: (id: number, gen: number) => number): void {
    const chunks = this.chunks;
    const n = this.length;
    let r = this.headAt;
    let w = this.headAt;
    for (let k = 0; k < n; k++, r++) {
      const from = chunks[r >> CHUNK_BITS] as Int32Array;
      const o = (r & (QUEUE_CHUNK - 1)) * 2;
      const gen = from[o + 1] ?? 0;
      const id = keep(from[o] ?? 0, gen);
      if (id < 0) continue;
      const to = chunks[w >> CHUNK_BITS] as Int32Array;
      const t = (w & (QUEUE_CHUNK - 1)) * 2;
      to[t] = id;
      to[t + 1] = gen;
      w++;
    }
    this.length = w - this.headAt;
    if (this.length === 0) {
      this.clear();
      return;
    }
    // chunks past the last kept entry go; the last one kept is the tail
    chunks.length = ((w - 1) >> CHUNK_BITS) + 1;
    this.tailAt = ((w - 1) & (QUEUE_CHUNK - 1)) + 1;
  }
}

export class AttemptStore {
  private rows = new Int32Array(0);
  /** Float64Array view of `rows` (start times at id * ROW / 2). */
  private times = new Float64Array(0);
  /**
   * Source text by id, set only for attempts whose key is text (IPv6); IPv4
   * text is rebuilt from the key. An array, not a Map: one IPv6 source that
   * keeps losing and restarting an attempt reuses the same id, and a big
   * Map keeps each delete in the bucket chain until it rehashes.
   */
  private texts: (string | undefined)[] = new Array<string | undefined>(MIN_ROWS).fill(undefined);
  /** Rows ever used: ids >= highWater are free and not in `free`. */
  private highWater = 0;
  private free = new Int32Array(MIN_ROWS);
  private freeTop = 0;
  private slots = slotArray(MIN_BUCKETS * BUCKET_SLOTS);
  private bucketMask = MIN_BUCKETS - 1;
  private slotCount = 0;
  private readonly stage1 = new IdQueue();
  private stage1Count = 0;
  /** Door registry: row META door index → DoorState. */
  private doors: (DoorState | undefined)[] = [];
  /** Scratch for warm(): the slot contents read in its first loop. */
  private warmIds = new Int32Array(64);
  count = 0;

  constructor() {
    this.setRows(rowBuffers(MIN_ROWS));
  }

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
    return this.doors[(this.rows[id * ROW + META] ?? 0) >> 8] as DoorState;
  }

  start(id: number): number {
    return this.times[id * (ROW / 2) + START_F64] ?? 0;
  }

  stage(id: number): number {
    return ((this.rows[id * ROW + META] ?? 0) >> 2) & 63;
  }

  lastStepAt(id: number): number {
    return this.start(id) + (this.rows[id * ROW + LAST_DELTA] ?? 0);
  }

  dupOk(id: number): boolean {
    return ((this.rows[id * ROW + META] ?? 0) & META_DUP) !== 0;
  }

  clearDupOk(id: number): void {
    this.rows[id * ROW + META] = (this.rows[id * ROW + META] ?? 0) & ~META_DUP;
  }

  ip(id: number): string {
    const r = id * ROW;
    return ((this.rows[r + META] ?? 0) & META_TEXT) !== 0 ? (this.texts[id] ?? "") : ipv4Text(this.rows[r + KEY] ?? 0);
  }

  /** Oldest live attempt of a door (its next deadline), or -1. Drops stale queue entries on the way. */
  headOf(door: DoorState): number {
    const q = door.queue;
    while (q.length > 0) {
      const id = q.idAt(0);
      if (this.isLive(id, q.genAt(0))) return id;
      q.shift();
    }
    return -1;
  }

  /**
   * Reads what lookups of these hashes will touch: the table lines they start
   * on, then (those lines now cached) the rows of the attempts whose hash is
   * found. The first and last loops do not branch on what they read, so a
   * batch's reads are in flight together instead of one after another.
   * Returns a value for the caller to keep (so the reads are not dropped).
   */
  warm(hashes: Int32Array, n: number): number {
    if (this.warmIds.length < n) this.warmIds = new Int32Array(hashes.length);
    const { slots, bucketMask, rows, warmIds: ids } = this;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += slots[((hashes[i] ?? 0) & bucketMask) * (BUCKET_SLOTS * SLOT) + S_ID] ?? 0;
    let spill = 0;
    for (let i = 0; i < n; i++) {
      const h = hashes[i] ?? 0;
      const base = (h & bucketMask) * BUCKET_SLOTS;
      let found = 0;
      for (let m = tagMatches(slots[(base + CONTROL) * SLOT + S_ID] ?? 0, tagOf(h)); m !== 0; m &= m - 1) {
        const s = base + lowestFlag(m);
        if (slots[s * SLOT + S_HASH] === h && slots[s * SLOT + S_ID] !== 0) {
          found = slots[s * SLOT + S_ID] ?? 0;
          break;
        }
      }
      // Not in a bucket that overflowed: it may be in the next one (rare): read that line too.
      if (found === 0 && slots[(base + CONTROL) * SLOT + S_HASH] !== 0) spill += slots[(((h & bucketMask) + 1) & bucketMask) * (BUCKET_SLOTS * SLOT) + S_ID] ?? 0;
      ids[i] = found - 1;
    }
    for (let i = 0; i < n; i++) {
      const id = ids[i] ?? 0;
      sum += rows[(id & ~(id >> 31)) * ROW + META] ?? 0;
    }
    return sum + spill;
  }

  /**
   * Same for what evicting the next `n` victims touches: their rows and table
   * lines. Stale stage-1 entries (advanced or removed attempts) are skipped at
   * eviction time, so a few more entries than `n` are read.
   */
  warmVictims(n: number): number {
    const q = this.stage1;
    const { rows, slots, bucketMask } = this;
    let sum = 0;
    for (let k = 0, end = Math.min(q.length, n + (n >> 2)); k < end; k++) {
      sum += slots[((rows[q.idAt(k) * ROW + HASH] ?? 0) & bucketMask) * (BUCKET_SLOTS * SLOT) + S_ID] ?? 0;
    }
    return sum;
  }

  /** Sizes of the structures, for tests and memory accounting. */
  footprint(): { rows: number; slots: number; stage1Queue: number; overflowedBuckets: number } {
    let overflowed = 0;
    for (let b = 0; b <= this.bucketMask; b++) if (this.slots[(b * BUCKET_SLOTS + CONTROL) * SLOT + S_HASH] !== 0) overflowed++;
    return { rows: this.rows.length / ROW, slots: (this.bucketMask + 1) * BUCKET_SLOTS, stage1Queue: this.stage1.capacity, overflowedBuckets: overflowed };
  }

  // ---- writes ----

  /** Starts an attempt at stage 1; returns its id. */
  add(ip: string, key: IpKey, hash: number, door: DoorState, now: number): number {
    const id = this.allocRow();
    const r = id * ROW;
    const rows = this.rows;
    const text = typeof key !== "number";
    this.times[id * (ROW / 2) + START_F64] = now;
    rows[r + LAST_DELTA] = 0;
    rows[r + HASH] = hash;
    rows[r + KEY] = text ? 0 : key;
    rows[r + META] = (this.doorIndex(door) << 8) | (1 << 2) | (text ? META_TEXT : 0) | META_DUP;
    rows[r + NEXT] = -1;
    if (text) this.texts[id] = ip;
    const gen = rows[r + GEN] ?? 0;
    door.pending++;
    this.stage1Count++;
    this.pushQueue(door.queue, id, gen, door.pending, false);
    this.pushQueue(this.stage1, id, gen, this.stage1Count, true);
    // per-IP chain: append, so events come out in start order
    const s = this.findSlot(key, hash);
    if (s < 0) {
      this.insertSlot(hash, id);
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
    const meta = this.rows[r + META] ?? 0;
    const stage = (meta >> 2) & 63;
    if (stage === 1) this.stage1Count--; // its stage-1 queue entry is now stale
    this.rows[r + META] = (meta & ~(63 << 2)) | ((stage + 1) << 2) | META_DUP;
    this.rows[r + LAST_DELTA] = Math.min(now - this.start(id), MAX_DELTA);
  }

  /** Removes an attempt from every index: its queue entries go stale, no neighbour is touched. */
  remove(id: number): void {
    const r = id * ROW;
    const rows = this.rows;
    const meta = rows[r + META] ?? 0;
    const door = this.doors[meta >> 8] as DoorState;
    door.pending--;
    if (((meta >> 2) & 63) === 1) this.stage1Count--;
    this.unlinkIp(id, rows[r + HASH] ?? 0);
    if ((meta & META_TEXT) !== 0) this.texts[id] = undefined;
    const gen = rows[r + GEN] ?? 0;
    rows[r + META] = -1;
    rows[r + GEN] = (gen + 1) & 0x7fffffff;
    this.free[this.freeTop++] = id;
    this.count--;
    if (door.pending === 0) door.queue.clear();
    else dropHead(door.queue, id, gen);
    if (this.stage1Count === 0) this.stage1.clear();
    else dropHead(this.stage1, id, gen);
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
    while (q.length > 0) {
      const id = q.idAt(0);
      if (this.isLiveStage1(id, q.genAt(0))) return id;
      q.shift();
    }
    let oldest = -1;
    for (const d of doors) {
      const id = this.headOf(d);
      if (id >= 0 && (oldest < 0 || this.start(id) < this.start(oldest))) oldest = id;
    }
    return oldest;
  }

  // ---- internals ----

  private setRows(b: { i32: Int32Array<ArrayBuffer>; f64: Float64Array<ArrayBuffer> }): void {
    this.rows = b.i32;
    this.times = b.f64;
  }

  /** A queue entry still names its attempt: the row was not freed (or reused) since. */
  private isLive(id: number, gen: number): boolean {
    return id < this.highWater && this.rows[id * ROW + GEN] === gen && (this.rows[id * ROW + META] ?? -1) >= 0;
  }

  /** A stage-1 queue entry still names an attempt at stage 1. */
  private isLiveStage1(id: number, gen: number): boolean {
    return this.isLive(id, gen) && this.stage(id) === 1;
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
    const b = rowBuffers(capacity);
    b.i32.set(this.rows.subarray(0, Math.min(this.rows.length, capacity * ROW)));
    this.setRows(b);
    const texts = new Array<string | undefined>(capacity).fill(undefined);
    for (let id = 0; id < Math.min(capacity, this.highWater); id++) texts[id] = this.texts[id];
    this.texts = texts;
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeTop));
    this.free = free;
  }

  /** Appends to a queue, first dropping stale entries when they outnumber the live ones. */
  private pushQueue(q: IdQueue, id: number, gen: number, live: number, stage1: boolean): void {
    if (q.full && q.length > live * 2) {
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
    const { rows, highWater } = this;
    const map = new Int32Array(highWater).fill(-1);
    let n = 0;
    for (let id = 0; id < highWater; id++) if ((rows[id * ROW + META] ?? -1) >= 0) map[id] = n++;
    let capacity = MIN_ROWS;
    while (capacity < n * 2) capacity *= 2;
    const next = rowBuffers(capacity);
    const texts = new Array<string | undefined>(capacity).fill(undefined);
    for (let id = 0; id < highWater; id++) {
      const to = map[id] ?? -1;
      if (to < 0) continue;
      next.i32.set(rows.subarray(id * ROW, id * ROW + ROW), to * ROW);
      const link = rows[id * ROW + NEXT] ?? -1;
      next.i32[to * ROW + NEXT] = link >= 0 ? (map[link] ?? -1) : -1;
      texts[to] = this.texts[id];
    }
    // Queue entries are checked against the old rows (this.rows is swapped below), then renumbered.
    this.stage1.rebuild((id, gen) => (this.isLiveStage1(id, gen) ? (map[id] ?? -1) : -1));
    for (const d of this.doors) d?.queue.rebuild((id, gen) => (this.isLive(id, gen) ? (map[id] ?? -1) : -1));
    const { slots } = this;
    for (let s = 0; s < slots.length / SLOT; s++) {
      if ((s & (BUCKET_SLOTS - 1)) === CONTROL) continue;
      const head = (slots[s * SLOT + S_ID] ?? 0) - 1;
      if (head >= 0) slots[s * SLOT + S_ID] = (map[head] ?? 0) + 1;
    }
    this.setRows(next);
    this.texts = texts;
    this.highWater = n;
    this.free = new Int32Array(capacity);
    this.freeTop = 0;
  }

  /** Slot index of a key, or -1. */
  private findSlot(key: IpKey, hash: number): number {
    const { slots, bucketMask, rows } = this;
    const tag = tagOf(hash);
    let b = hash & bucketMask;
    for (let probes = 0; probes <= bucketMask; probes++) {
      const base = b * BUCKET_SLOTS;
      for (let m = tagMatches(slots[(base + CONTROL) * SLOT + S_ID] ?? 0, tag); m !== 0; m &= m - 1) {
        const s = base + lowestFlag(m);
        const id = slots[s * SLOT + S_ID] ?? 0;
        if (id !== 0 && slots[s * SLOT + S_HASH] === hash && this.keyIs(id - 1, key, rows)) return s;
      }
      if (slots[(base + CONTROL) * SLOT + S_HASH] === 0) return -1;
      b = (b + 1) & bucketMask;
    }
    return -1;
  }

  private keyIs(id: number, key: IpKey, rows: Int32Array): boolean {
    const text = ((rows[id * ROW + META] ?? 0) & META_TEXT) !== 0;
    return typeof key === "number" ? !text && rows[id * ROW + KEY] === key : text && this.texts[id] === key;
  }

  private insertSlot(hash: number, id: number): void {
    if (this.slotCount + 1 > (this.bucketMask + 1) * MAX_PER_BUCKET) this.resizeSlots((this.bucketMask + 1) * 2);
    placeSlot(this.slots, this.bucketMask, hash, id + 1);
    this.slotCount++;
  }

  /** Takes an attempt out of its IP's chain (and the table when it was the last one). */
  private unlinkIp(id: number, hash: number): void {
    const { slots, rows } = this;
    const s = this.findSlot(this.keyOf(id), hash);
    if (s < 0) return;
    const head = (slots[s * SLOT + S_ID] ?? 0) - 1;
    const after = rows[id * ROW + NEXT] ?? -1;
    if (head === id) {
      if (after >= 0) slots[s * SLOT + S_ID] = after + 1;
      else this.deleteSlot(s);
      return;
    }
    // chains are at most one attempt per door long
    for (let prev = head, cur = this.next(head); cur >= 0; prev = cur, cur = this.next(cur)) {
      if (cur === id) {
        rows[prev * ROW + NEXT] = after;
        return;
      }
    }
  }

  /** The table key of an attempt's source (as ipKey gave it). */
  private keyOf(id: number): IpKey {
    const r = id * ROW;
    return ((this.rows[r + META] ?? 0) & META_TEXT) !== 0 ? (this.texts[id] ?? "") : (this.rows[r + KEY] ?? 0);
  }

  /** Clears a slot and its tag; the buckets its probe passed over count one overflow less. Nothing moves. */
  private deleteSlot(s: number): void {
    const { slots, bucketMask } = this;
    const at = s >> BUCKET_BITS;
    for (let b = (slots[s * SLOT + S_HASH] ?? 0) & bucketMask; b !== at; b = (b + 1) & bucketMask) {
      slots[(b * BUCKET_SLOTS + CONTROL) * SLOT + S_HASH] = (slots[(b * BUCKET_SLOTS + CONTROL) * SLOT + S_HASH] ?? 0) - 1;
    }
    const control = (at * BUCKET_SLOTS + CONTROL) * SLOT + S_ID;
    slots[control] = (slots[control] ?? 0) & ~(15 << ((s & (BUCKET_SLOTS - 1)) * 4));
    slots[s * SLOT + S_ID] = 0;
    if (--this.slotCount * 2 < bucketMask + 1 && bucketMask + 1 > MIN_BUCKETS) this.resizeSlots((bucketMask + 1) / 2);
  }

  private resizeSlots(buckets: number): void {
    const old = this.slots;
    this.slots = slotArray(buckets * BUCKET_SLOTS);
    this.bucketMask = buckets - 1;
    for (let s = 0; s < old.length / SLOT; s++) {
      const v = old[s * SLOT + S_ID] ?? 0;
      if (v !== 0 && (s & (BUCKET_SLOTS - 1)) !== CONTROL) placeSlot(this.slots, this.bucketMask, old[s * SLOT + S_HASH] ?? 0, v);
    }
  }
}

/**
 * Drops a removed attempt's entry when it is the queue's head: evictions and
 * timeouts take the oldest attempts, so their entries go at once instead of
 * waiting, stale, for a rebuild that must read every entry's line. Reads only
 * the queue's head (in cache).
 */
function dropHead(q: IdQueue, id: number, gen: number): void {
  if (q.length > 0 && q.idAt(0) === id && q.genAt(0) === gen) q.shift();
}

/**
 * Puts [hash, value] in the first free slot from the hash's home bucket on,
 * counting one overflow on every full bucket passed. The table is never
 * full (at most MAX_PER_BUCKET of 7 per bucket on average), so this ends
 * within a few buckets; the bound is only a guard.
 */
function placeSlot(slots: Int32Array, bucketMask: number, hash: number, value: number): void {
  let b = hash & bucketMask;
  for (let probes = 0; probes <= bucketMask; probes++) {
    const base = b * BUCKET_SLOTS;
    const control = (base + CONTROL) * SLOT;
    const tags = slots[control + S_ID] ?? 0;
    const free = tagMatches(tags, 0);
    if (free !== 0) {
      const k = lowestFlag(free);
      slots[(base + k) * SLOT + S_HASH] = hash;
      slots[(base + k) * SLOT + S_ID] = value;
      slots[control + S_ID] = tags | (tagOf(hash) << (k * 4));
      return;
    }
    slots[control + S_HASH] = (slots[control + S_HASH] ?? 0) + 1;
    b = (b + 1) & bucketMask;
  }
  throw new Error("attempt table full");
}
