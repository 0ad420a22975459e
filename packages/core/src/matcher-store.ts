/**
 * Pending attempts, laid out so that a packet touches as few cache lines as
 * possible. With 1M pending every random memory read is a cache and TLB miss
 * (~90–170 ns each on the 2-core VM the benchmarks run on, ~20 ns when many
 * overlap): what a packet costs at 1M is the number of lines it must wait
 * for, and how many of those can be read ahead together.
 *
 * - The attempts ARE the table: an open-addressing table of buckets of one
 *   cache line, three 20-byte entries [IPv4 key, hash, door/stage/flags,
 *   start, serial] and an overflow count (the number of entries placed past
 *   this bucket because it was full, as in folly's F14). An attempt's id is
 *   its slot (bucket << 2 | entry) and entries never move while they live,
 *   so everything a packet needs about an attempt (is it this source, which
 *   door, which stage, timed out?) is on the one line its lookup reads; an
 *   unknown source costs that line too, and nothing else. An IP with
 *   attempts on several doors has several entries (a lookup goes on past a
 *   bucket only when its overflow count is not zero: a few % of buckets at
 *   the loads kept here). Deleting clears the entry and the counts along its
 *   probe: no tombstones.
 * - Per door a FIFO in start order (deadlines are monotonic per door, so the
 *   head is the next timeout) and a global FIFO of stage-1 attempts (eviction
 *   victims under a spoofed flood: spoofers rarely get past stage 1, real
 *   users are at stage >= 2). Both are chunked queues of (id, serial) with
 *   lazy deletion: an entry is live while its slot holds that serial (and,
 *   for stage 1, that stage), read on the same line as the attempt itself.
 *   Stale entries are dropped when they reach the head and compacted away
 *   when they outnumber live ones.
 * - Start times are kept as their low 32 bits (ms): ages are exact for 24
 *   days, far past the longest sequence timeout (1 h). The time of the last
 *   step (only doors that tolerate duplicates read it) is kept aside.
 * - IPv6 (and any non-canonical) source text is kept aside; its entry holds
 *   only the hash. IPv4 text is rebuilt from the key when an event needs it.
 * - warm()/warmVictims() read ahead what a batch of packets will touch (see
 *   Matcher.handleBatch): one line per looked-up packet and per victim, none
 *   depending on another, so a batch's misses are all in flight together.
 * - The table doubles when it holds 1.5 entries per bucket on average and
 *   halves (in settle()) below 1/2, so a flood's memory is given back.
 *   Resizing renumbers ids: hold none across add() or settle().
 */
import type { IpKey } from "./matcher-ip-table";
import type { DoorState } from "./matcher-state";

/** Int32s per bucket (one 64-byte line): three entries of ENTRY Int32s, then the overflow count. */
const BUCKET = 16;
const ENTRY = 5;
const ENTRIES = 3;
const OVERFLOW = 15;
/** Entry fields. */
const E_KEY = 0;
const E_HASH = 1;
/** door index << 8 | stage << 2 | text key << 1 | duplicate tolerated; 0: a free entry. */
const E_META = 2;
/** Start time (ms), low 32 bits. */
const E_START = 3;
/** Serial of the attempt (a 32-bit counter over adds): queue entries name (id, serial); it also orders one IP's attempts. */
const E_SERIAL = 4;
/** Stages fit in 6 bits of META (sequences are capped at 32 knocks upstream). */
export const MAX_STAGES = 63;
const META_DUP = 1;
const META_TEXT = 2;

/** Table offset (Int32 index) of an attempt id (bucket << 2 | entry). */
function at(id: number): number {
  return (id >> 2) * BUCKET + (id & 3) * ENTRY;
}

/** Low 32 bits of a time in ms, as an int32 (ages are differences of these, wrapped). */
function low32(ms: number): number {
  return (ms >>> 0) | 0;
}

/**
 * The table grows past 1.5 entries per bucket on average (half full: at 2 of
 * 3, linear probing under churn left over half the buckets overflowed; at
 * 1.5, 7–8%) and shrinks below 1/2.
 */
const MAX_PER_BUCKET = 1.5;
const MIN_BUCKETS = 256;

/**
 * Memory for the table, starting on a cache line so that a bucket never
 * straddles two lines. An ArrayBuffer's bytes come from malloc, 16-byte
 * aligned: glibc serves big blocks with mmap (16 bytes into a page) only
 * until a big block is freed; its dynamic mmap threshold then sends blocks up
 * to that size to the heap, at any 16-byte offset (measured with cachegrind:
 * 4.5 vs 6 missed lines per store op, by run). WebAssembly memory is
 * page-aligned, always; tables too small to outgrow the caches (idle doors,
 * tests) stay plain ArrayBuffers, so a process holds few wasm memories (each
 * reserves address space, not RAM).
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

function tableArray(buckets: number): Int32Array<ArrayBuffer> {
  return new Int32Array(lineAligned(buckets * BUCKET * 4), 0, buckets * BUCKET);
}

/** Dotted-quad text of an IPv4 key (ipKey() accepts only this canonical form, so it round-trips). */
function ipv4Text(k: number): string {
  return `${(k >>> 24) & 255}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}

const CHUNK_BITS = 10;
/** Entries per IdQueue chunk (8 KB: pairs of Int32). */
export const QUEUE_CHUNK = 1 << CHUNK_BITS;

/**
 * A FIFO of (id, generation) pairs; entries go stale when their slot is freed
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
  private table = tableArray(MIN_BUCKETS);
  private bucketMask = MIN_BUCKETS - 1;
  /** Source text by id for entries keyed by text (IPv6); made with the first one. An array, not a Map: ids are reused, a Map's deletes pile up. */
  private texts: (string | undefined)[] | null = null;
  /** Time (ms, low 32 bits) of the last matched step by id, for doors that tolerate duplicates; made with the first one. */
  private lastSteps: Int32Array | null = null;
  private serial = 0;
  private readonly stage1 = new IdQueue();
  private stage1Count = 0;
  /** Door registry: META door index → DoorState. */
  private doors: (DoorState | undefined)[] = [];
  /** What lookup() found: the ids of one IP's attempts, oldest first (valid until the next lookup). */
  found = new Int32Array(8);
  count = 0;

  // ---- reads (the matcher's hot path) ----

  /**
   * Finds an IP's attempts (by ipKey and its hash): puts their ids in
   * `found`, oldest first, and returns how many (at most one per door).
   */
  lookup(key: IpKey, hash: number): number {
    const { table, bucketMask } = this;
    const text = typeof key !== "number";
    let n = 0;
    let b = hash & bucketMask;
    for (let probes = 0; probes <= bucketMask; probes++) {
      const base = b * BUCKET;
      for (let k = 0, o = base; k < ENTRIES; k++, o += ENTRY) {
        const meta = table[o + E_META] ?? 0;
        if (meta === 0) continue;
        if (text ? (meta & META_TEXT) !== 0 && table[o + E_HASH] === hash && this.texts?.[(b << 2) | k] === key : (meta & META_TEXT) === 0 && table[o + E_KEY] === key) {
          if (n === this.found.length) this.growFound();
          this.found[n++] = (b << 2) | k;
        }
      }
      if (table[base + OVERFLOW] === 0) break;
      b = (b + 1) & bucketMask;
    }
    if (n > 1) this.sortFound(n);
    return n;
  }

  door(id: number): DoorState {
    return this.doors[(this.table[at(id) + E_META] ?? 0) >>> 8] as DoorState;
  }

  stage(id: number): number {
    return ((this.table[at(id) + E_META] ?? 0) >> 2) & 63;
  }

  /** ms since the attempt started (exact while under 24 days; negative if the clock went back). */
  age(id: number, now: number): number {
    return (low32(now) - (this.table[at(id) + E_START] ?? 0)) | 0;
  }

  /** ms since the last matched step; meaningful only while dupOk() (set only for doors that tolerate duplicates). */
  sinceLastStep(id: number, now: number): number {
    return (low32(now) - (this.lastSteps?.[id] ?? 0)) | 0;
  }

  /** A duplicate of the last step is still tolerated (the door tolerated duplicates when that step matched). */
  dupOk(id: number): boolean {
    return ((this.table[at(id) + E_META] ?? 0) & META_DUP) !== 0;
  }

  clearDupOk(id: number): void {
    this.table[at(id) + E_META] = (this.table[at(id) + E_META] ?? 0) & ~META_DUP;
  }

  ip(id: number): string {
    const o = at(id);
    return ((this.table[o + E_META] ?? 0) & META_TEXT) !== 0 ? (this.texts?.[id] ?? "") : ipv4Text(this.table[o + E_KEY] ?? 0);
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
   * on, then, where that bucket overflowed, the next one. Nothing else: an
   * attempt lives on its lookup's line. The first loop does not branch on
   * what it reads, so a batch's reads are in flight together instead of one
   * after another. Returns a value for the caller to keep (so the reads are
   * not dropped).
   */
  warm(hashes: Int32Array, n: number): number {
    const { table, bucketMask } = this;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += table[((hashes[i] ?? 0) & bucketMask) * BUCKET + OVERFLOW] ?? 0;
    if (sum === 0) return 0;
    let spill = 0;
    for (let i = 0; i < n; i++) {
      const b = (hashes[i] ?? 0) & bucketMask;
      if (table[b * BUCKET + OVERFLOW] !== 0) spill += table[((b + 1) & bucketMask) * BUCKET + OVERFLOW] ?? 0;
    }
    return sum + spill;
  }

  /**
   * Same for what evicting the next `n` victims touches: their lines (the
   * stage-1 queue names their ids, so these reads depend on nothing). Stale
   * entries (advanced or removed attempts) are skipped at eviction time, so
   * a few more entries than `n` are read.
   */
  warmVictims(n: number): number {
    const q = this.stage1;
    const table = this.table;
    let sum = 0;
    for (let k = 0, end = Math.min(q.length, n + (n >> 2)); k < end; k++) sum += table[at(q.idAt(k)) + E_META] ?? 0;
    return sum;
  }

  /** Sizes of the structures, for tests and memory accounting. */
  footprint(): { buckets: number; slots: number; stage1Queue: number; overflowedBuckets: number } {
    let overflowed = 0;
    for (let b = 0; b <= this.bucketMask; b++) if (this.table[b * BUCKET + OVERFLOW] !== 0) overflowed++;
    return { buckets: this.bucketMask + 1, slots: (this.bucketMask + 1) * ENTRIES, stage1Queue: this.stage1.capacity, overflowedBuckets: overflowed };
  }

  // ---- writes ----

  /** Starts an attempt at stage 1; returns its id. May resize the table (renumbering every id). */
  add(ip: string, key: IpKey, hash: number, door: DoorState, now: number): number {
    if (this.count + 1 > (this.bucketMask + 1) * MAX_PER_BUCKET) this.resize((this.bucketMask + 1) * 2);
    const id = place(this.table, this.bucketMask, hash);
    const o = at(id);
    const table = this.table;
    const text = typeof key !== "number";
    const tolerate = door.door.tolerateDuplicates;
    const serial = (this.serial = (this.serial + 1) | 0);
    table[o + E_KEY] = text ? 0 : key;
    table[o + E_HASH] = hash;
    table[o + E_META] = (this.doorIndex(door) << 8) | (1 << 2) | (text ? META_TEXT : 0) | (tolerate ? META_DUP : 0);
    table[o + E_START] = low32(now);
    table[o + E_SERIAL] = serial;
    if (text) this.textArray()[id] = ip;
    if (tolerate) this.lastStepArray()[id] = low32(now);
    door.pending++;
    this.stage1Count++;
    this.pushQueue(door.queue, id, serial, door.pending, false);
    this.pushQueue(this.stage1, id, serial, this.stage1Count, true);
    this.count++;
    return id;
  }

  /** Records one more matched step. */
  advance(id: number, now: number): void {
    const o = at(id);
    const meta = this.table[o + E_META] ?? 0;
    const stage = (meta >> 2) & 63;
    if (stage === 1) this.stage1Count--; // its stage-1 queue entry is now stale
    const tolerate = (this.doors[meta >>> 8] as DoorState).door.tolerateDuplicates;
    this.table[o + E_META] = (meta & ~((63 << 2) | META_DUP)) | ((stage + 1) << 2) | (tolerate ? META_DUP : 0);
    if (tolerate) this.lastStepArray()[id] = low32(now);
  }

  /** Removes an attempt: its entry is cleared, its queue entries go stale, nothing else moves. */
  remove(id: number): void {
    const { table, bucketMask } = this;
    const o = at(id);
    const meta = table[o + E_META] ?? 0;
    const serial = table[o + E_SERIAL] ?? 0;
    const door = this.doors[meta >>> 8] as DoorState;
    door.pending--;
    if (((meta >> 2) & 63) === 1) this.stage1Count--;
    if ((meta & META_TEXT) !== 0 && this.texts !== null) this.texts[id] = undefined;
    // the buckets its probe passed over count one overflow less
    const bucket = id >> 2;
    for (let b = (table[o + E_HASH] ?? 0) & bucketMask; b !== bucket; b = (b + 1) & bucketMask) table[b * BUCKET + OVERFLOW] = (table[b * BUCKET + OVERFLOW] ?? 0) - 1;
    table[o + E_META] = 0;
    this.count--;
    if (door.pending === 0) door.queue.clear();
    else dropHead(door.queue, id, serial);
    if (this.stage1Count === 0) this.stage1.clear();
    else dropHead(this.stage1, id, serial);
  }

  /**
   * Halves the table (or more) once it holds less than 1/2 entry per bucket:
   * after a flood drains, its memory goes back. Renumbers ids: call it only
   * where the caller holds none (end of a packet or of expire()). O(table),
   * at most once per halving of the count: amortized O(1) per removal.
   */
  settle(): void {
    const buckets = this.bucketMask + 1;
    if (buckets <= MIN_BUCKETS || this.count * 2 >= buckets) return;
    let to = MIN_BUCKETS;
    while (to < this.count) to *= 2;
    this.resize(to);
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
   * oldest attempt of any door (max age over the door FIFO heads; doors are few).
   */
  victim(doors: Iterable<DoorState>, now: number): number {
    const q = this.stage1;
    while (q.length > 0) {
      const id = q.idAt(0);
      if (this.isLiveStage1(id, q.genAt(0))) return id;
      q.shift();
    }
    let oldest = -1;
    let oldestAge = 0;
    for (const d of doors) {
      const id = this.headOf(d);
      if (id < 0) continue;
      const age = this.age(id, now);
      if (oldest < 0 || age > oldestAge) {
        oldest = id;
        oldestAge = age;
      }
    }
    return oldest;
  }

  // ---- internals ----

  /** A queue entry still names its attempt: the slot holds an attempt with that serial. */
  private isLive(id: number, serial: number): boolean {
    const o = at(id);
    return (id & 3) < ENTRIES && o < this.table.length && this.table[o + E_META] !== 0 && this.table[o + E_SERIAL] === serial;
  }

  /** A stage-1 queue entry still names an attempt at stage 1. */
  private isLiveStage1(id: number, serial: number): boolean {
    return this.isLive(id, serial) && this.stage(id) === 1;
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

  private textArray(): (string | undefined)[] {
    return (this.texts ??= new Array<string | undefined>((this.bucketMask + 1) << 2).fill(undefined));
  }

  private lastStepArray(): Int32Array {
    return (this.lastSteps ??= new Int32Array((this.bucketMask + 1) << 2));
  }

  private growFound(): void {
    const found = new Int32Array(this.found.length * 2);
    found.set(this.found);
    this.found = found;
  }

  /** Orders found[0..n) by serial (creation order, wrapping), an insertion sort: n is at most the number of doors. */
  private sortFound(n: number): void {
    const { found, table } = this;
    for (let i = 1; i < n; i++) {
      const id = found[i] ?? 0;
      const serial = table[at(id) + E_SERIAL] ?? 0;
      let j = i - 1;
      for (; j >= 0 && (((table[at(found[j] ?? 0) + E_SERIAL] ?? 0) - serial) | 0) > 0; j--) found[j + 1] = found[j] ?? 0;
      found[j + 1] = id;
    }
  }

  /** Appends to a queue, first dropping stale entries when they outnumber the live ones. */
  private pushQueue(q: IdQueue, id: number, serial: number, live: number, stage1: boolean): void {
    if (q.full && q.length > live * 2) {
      q.rebuild((i, s) => ((stage1 ? this.isLiveStage1(i, s) : this.isLive(i, s)) ? i : -1));
    }
    q.push(id, serial);
  }

  /**
   * Moves every attempt to a table of `buckets` buckets and renumbers the
   * queues' live entries (in order: the per-door FIFOs stay in start order).
   */
  private resize(buckets: number): void {
    const old = this.table;
    const oldBuckets = this.bucketMask + 1;
    const table = tableArray(buckets);
    const mask = buckets - 1;
    const map = new Int32Array(oldBuckets << 2).fill(-1);
    const texts = this.texts === null ? null : new Array<string | undefined>(buckets << 2).fill(undefined);
    const lastSteps = this.lastSteps === null ? null : new Int32Array(buckets << 2);
    for (let b = 0; b < oldBuckets; b++) {
      for (let k = 0, o = b * BUCKET; k < ENTRIES; k++, o += ENTRY) {
        if (old[o + E_META] === 0) continue;
        const from = (b << 2) | k;
        const to = place(table, mask, old[o + E_HASH] ?? 0);
        table.set(old.subarray(o, o + ENTRY), at(to));
        map[from] = to;
        if (texts !== null) texts[to] = this.texts?.[from];
        if (lastSteps !== null) lastSteps[to] = this.lastSteps?.[from] ?? 0;
      }
    }
    // Queue entries are checked against the old table (swapped below), then renumbered.
    this.stage1.rebuild((id, serial) => (this.isLiveStage1(id, serial) ? (map[id] ?? -1) : -1));
    for (const d of this.doors) d?.queue.rebuild((id, serial) => (this.isLive(id, serial) ? (map[id] ?? -1) : -1));
    this.table = table;
    this.bucketMask = mask;
    this.texts = texts;
    this.lastSteps = lastSteps;
  }
}

/**
 * Drops a removed attempt's entry when it is the queue's head: evictions and
 * timeouts take the oldest attempts, so their entries go at once instead of
 * waiting, stale, for a rebuild that must read every entry's line. Reads only
 * the queue's head (in cache).
 */
function dropHead(q: IdQueue, id: number, serial: number): void {
  if (q.length > 0 && q.idAt(0) === id && q.genAt(0) === serial) q.shift();
}

/**
 * Takes the first free entry from the hash's home bucket on, counting one
 * overflow on every full bucket passed; returns its id. The table is never
 * full (at most MAX_PER_BUCKET of 3 per bucket on average), so this ends
 * within a few buckets; the bound is only a guard.
 */
function place(table: Int32Array, bucketMask: number, hash: number): number {
  let b = hash & bucketMask;
  for (let probes = 0; probes <= bucketMask; probes++) {
    const base = b * BUCKET;
    for (let k = 0; k < ENTRIES; k++) if (table[base + k * ENTRY + E_META] === 0) return (b << 2) | k;
    table[base + OVERFLOW] = (table[base + OVERFLOW] ?? 0) + 1;
    b = (b + 1) & bucketMask;
  }
  throw new Error("attempt table full");
}
