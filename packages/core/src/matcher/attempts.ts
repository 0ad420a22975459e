/**
 * Pending knock attempts. An attempt is a slot in a few typed-array columns
 * (source, door, start, last step, stage, flags, chain link, generation);
 * a Map from source to its first slot; one queue of slots per door in start
 * order (deadlines are monotonic per door, so its head is the next timeout)
 * and one queue of stage-1 attempts (the victims at the cap: spoofers rarely
 * get past stage 1, real users are at stage >= 2). Removing an attempt frees
 * its slot and bumps its generation; queue entries carry the generation they
 * were pushed with, so the queues skip stale entries at their head and drop
 * them when they outnumber live ones. Every operation is O(1) amortized and
 * memory follows the live count down after a flood (settle() compacts).
 *
 * Why columns and not one object per attempt (the one piece kept from the
 * old store): under a flood at the cap the matcher holds a quarter-million
 * attempts, and as heap objects (with their boxed times and the queues'
 * arrays) V8's collector walked them all at every full collection. Worker at
 * 100k pps, idle machine, 2026-12-02 (`npm run bench -- --only flood
 * --daemons sesame --base b7956b0`): objects 9.85 s daemon CPU, 37,940
 * capture drops, 19/20 knocks opened, 195 MB peak; the old typed-array store
 * 4.10 s, 0 drops, 20/20, 108 MB; the profile (--profile) had 19 % of the
 * worker's time in the garbage collector. Typed arrays are never scanned:
 * with these columns, same run conditions, 5.69 s (old store 4.14 s), 0 drops,
 * 20/20, 149 MB peak, and the first missed knock at 275k pps.
 */
import { Columns, dotted, keyOf, parseIp } from "./columns";
import { SlotQueue } from "./slot-queue";
import type { DoorState } from "./state";

/** A pending attempt: its slot in the columns (NO_ATTEMPT: none). */
export type Attempt = number;
export const NO_ATTEMPT = -1;

const MIN_SLOTS = 1024;
const LIVE = 1;
/** A duplicate of the last knock would still be tolerated (tolerateDuplicates doors). */
const DUP_OK = 2;
/** The source is not a canonical IPv4 address: its text is in the text column. */
const TEXT = 4;

/**
 * Sources with no attempt left keep their Map entry (NO_ATTEMPT) and are
 * swept in bulk once they are more than half as many as the others, plus
 * this many. Deleting them at once is what V8's Map handles badly: a deleted
 * entry stays in its bucket chain until the next rehash, so one source
 * starting and losing attempts over and over piles holes into one chain
 * (measured ~50 µs per packet with 200k pending; see perf.test.ts
 * "same-source churn").
 */
const SPARE_SOURCES = 1024;

export class Attempts {
  private c = new Columns(MIN_SLOTS);
  /** Slots [0, used) have been handed out; freed ones are chained from freeHead. */
  private used = 0;
  private freeHead = NO_ATTEMPT;
  private live = 0;
  private readonly bySource = new Map<number | string, Attempt>();
  /** Entries of bySource with at least one attempt. */
  private sources = 0;
  private readonly seed = (Math.random() * 0x1_0000_0000) | 0;
  /** Doors with pending attempts, by the index the door column holds. */
  private doors: (DoorState | undefined)[] = [];
  private freeDoorIndexes: number[] = [];
  private readonly stage1 = new SlotQueue();
  private stage1Count = 0;

  get count(): number {
    return this.live;
  }

  /** The source's first attempt (in start order); nextOf() gives the others. */
  firstOf(text: string): Attempt {
    const ip = parseIp(text);
    for (let a = this.bySource.get(keyOf(ip, this.seed)) ?? NO_ATTEMPT; a !== NO_ATTEMPT; a = this.c.link[a] as number) {
      if (this.isFrom(a, ip)) return a;
    }
    return NO_ATTEMPT;
  }

  /** The same source's next attempt (of another door). */
  nextOf(a: Attempt): Attempt {
    const ip = this.sourceOf(a);
    for (let b = this.c.link[a] as number; b !== NO_ATTEMPT; b = this.c.link[b] as number) if (this.isFrom(b, ip)) return b;
    return NO_ATTEMPT;
  }

  doorOf(a: Attempt): DoorState {
    return this.doors[this.c.door[a] as number] as DoorState;
  }
  stageOf(a: Attempt): number {
    return this.c.stage[a] as number;
  }
  /** Time of the first knock: the attempt times out seq_timeout after it. */
  startOf(a: Attempt): number {
    return this.c.start[a] as number;
  }
  lastStepAt(a: Attempt): number {
    return this.c.lastStep[a] as number;
  }
  isDupOk(a: Attempt): boolean {
    return ((this.c.flags[a] as number) & DUP_OK) !== 0;
  }
  useDuplicate(a: Attempt): void {
    this.c.flags[a] = (this.c.flags[a] as number) & ~DUP_OK;
  }
  /** The source's text, for events. */
  ipOf(a: Attempt): string {
    const ip = this.sourceOf(a);
    return typeof ip === "string" ? ip : dotted(ip);
  }

  /** Starts an attempt at stage 1 (after the source's others). */
  add(text: string, door: DoorState, now: number): void {
    const ip = parseIp(text);
    const a = this.allocate();
    const c = this.c;
    c.flags[a] = LIVE | DUP_OK | (typeof ip === "string" ? TEXT : 0);
    c.text[a] = typeof ip === "string" ? ip : "";
    c.src[a] = typeof ip === "string" ? 0 : ip;
    c.door[a] = this.indexOf(door);
    c.start[a] = now;
    c.lastStep[a] = now;
    c.stage[a] = 1;
    c.link[a] = NO_ATTEMPT;
    const key = keyOf(ip, this.seed);
    const first = this.bySource.get(key) ?? NO_ATTEMPT;
    if (first === NO_ATTEMPT) {
      this.bySource.set(key, a);
      this.sources++;
    } else {
      let last = first;
      while (c.link[last] !== NO_ATTEMPT) last = c.link[last] as number;
      c.link[last] = a;
    }
    this.live++;
    door.pending++;
    door.queue.push(a, c.gen[a] as number);
    this.stage1Count++;
    this.stage1.push(a, c.gen[a] as number);
    this.tidy(door);
  }

  /** Records one more matched step. */
  advance(a: Attempt, now: number): void {
    const c = this.c;
    if (c.stage[a] === 1) this.stage1Count--;
    c.stage[a] = (c.stage[a] as number) + 1;
    c.lastStep[a] = now;
    c.flags[a] = (c.flags[a] as number) | DUP_OK;
    this.tidy(this.doorOf(a));
  }

  remove(a: Attempt): void {
    const c = this.c;
    if (!this.isLive(a, c.gen[a] as number)) return;
    const door = this.doorOf(a);
    const key = keyOf(this.sourceOf(a), this.seed);
    const first = this.bySource.get(key) ?? NO_ATTEMPT;
    if (first === a) {
      this.bySource.set(key, c.link[a] as number);
      if (c.link[a] === NO_ATTEMPT) this.sources--;
    } else {
      let prev = first;
      while (prev !== NO_ATTEMPT && c.link[prev] !== a) prev = c.link[prev] as number;
      if (prev !== NO_ATTEMPT) c.link[prev] = c.link[a] as number;
    }
    if (c.stage[a] === 1) this.stage1Count--;
    c.text[a] = "";
    c.flags[a] = 0;
    c.gen[a] = ((c.gen[a] as number) + 1) | 0;
    c.link[a] = this.freeHead;
    this.freeHead = a;
    this.live--;
    door.pending--;
    this.tidy(door);
  }

  /** Removes every attempt of a door (config change, used one-time sequence). */
  removeDoor(door: DoorState): void {
    for (let a = this.headOf(door); a !== NO_ATTEMPT; a = this.headOf(door)) this.remove(a);
  }

  /** Oldest live attempt of a door (its next deadline). */
  headOf(door: DoorState): Attempt {
    for (let a = door.queue.peek(); a !== NO_ATTEMPT; a = door.queue.peek()) {
      if (this.isLive(a, door.queue.peekGen())) return a;
      door.queue.shift();
    }
    return NO_ATTEMPT;
  }

  /** The attempt to sacrifice at the cap: the oldest stage-1 attempt, else the oldest of any door. */
  victim(doors: Iterable<DoorState>): Attempt {
    for (let a = this.stage1.peek(); a !== NO_ATTEMPT; a = this.stage1.peek()) {
      if (this.isStage1(a, this.stage1.peekGen())) return a;
      this.stage1.shift();
    }
    let oldest = NO_ATTEMPT;
    for (const d of doors) {
      const head = this.headOf(d);
      if (head !== NO_ATTEMPT && (oldest === NO_ATTEMPT || this.startOf(head) < this.startOf(oldest))) oldest = head;
    }
    return oldest;
  }

  /**
   * Call after a packet or a round of timeouts (never while walking a
   * source's attempts: compaction moves slots). Sweeps sources left without
   * attempts once they are many; compacts the columns once 7/8 are free.
   */
  settle(): void {
    if (this.bySource.size - this.sources > this.sources / 2 + SPARE_SOURCES) {
      for (const [key, first] of this.bySource) if (first === NO_ATTEMPT) this.bySource.delete(key);
    }
    if (this.c.size > MIN_SLOTS && this.live * 8 < this.c.size) this.compact();
  }

  private readonly isLive = (a: Attempt, gen: number): boolean => ((this.c.flags[a] as number) & LIVE) !== 0 && this.c.gen[a] === gen;
  private readonly isStage1 = (a: Attempt, gen: number): boolean => this.isLive(a, gen) && this.c.stage[a] === 1;

  private sourceOf(a: Attempt): number | string {
    return (this.c.flags[a] as number) & TEXT ? (this.c.text[a] as string) : (this.c.src[a] as number);
  }

  private isFrom(a: Attempt, ip: number | string): boolean {
    const isText = ((this.c.flags[a] as number) & TEXT) !== 0;
    return typeof ip === "string" ? isText && this.c.text[a] === ip : !isText && this.c.src[a] === ip;
  }

  private allocate(): Attempt {
    const a = this.freeHead;
    if (a !== NO_ATTEMPT) {
      this.freeHead = this.c.link[a] as number;
      return a;
    }
    if (this.used === this.c.size) this.grow();
    return this.used++;
  }

  /** The door's index in the door column (doors are indexed while they have attempts). */
  private indexOf(door: DoorState): number {
    if (this.doors[door.attemptIndex] === door) return door.attemptIndex;
    const i = this.freeDoorIndexes.pop() ?? this.doors.length;
    this.doors[i] = door;
    door.attemptIndex = i;
    return i;
  }

  /**
   * Drops stale queue entries once they outnumber live ones (each entry is
   * copied O(1) times on average); a door without attempts gives back its
   * index and queue.
   */
  private tidy(door: DoorState): void {
    if (door.pending === 0) {
      door.queue.clear();
      if (this.doors[door.attemptIndex] === door) {
        this.doors[door.attemptIndex] = undefined;
        this.freeDoorIndexes.push(door.attemptIndex);
      }
    } else if (door.queue.length > 2 * door.pending + 64) door.queue.retain(this.isLive);
    if (this.stage1Count === 0) this.stage1.clear();
    else if (this.stage1.length > 2 * this.stage1Count + 64) this.stage1.retain(this.isStage1);
  }

  /** Doubles the columns; every slot keeps its place (free ones too). */
  private grow(): void {
    const c = new Columns(this.c.size * 2);
    for (let a = 0; a < this.used; a++) c.copySlot(this.c, a, a);
    this.c = c;
  }

  /** Live attempts moved to the front of columns sized for them; links, the Map and the queues follow. */
  private compact(): void {
    let size = MIN_SLOTS;
    while (size < this.live * 2) size *= 2;
    const old = this.c;
    const c = new Columns(size);
    const moved = new Int32Array(this.used).fill(NO_ATTEMPT);
    let n = 0;
    for (let a = 0; a < this.used; a++) {
      if (!((old.flags[a] as number) & LIVE)) continue;
      moved[a] = n;
      c.copySlot(old, a, n++);
    }
    const to = (a: Attempt): Attempt => moved[a] as number;
    // A live attempt's link names a live attempt (remove() unlinks).
    for (let b = 0; b < n; b++) if (c.link[b] !== NO_ATTEMPT) c.link[b] = to(c.link[b] as number);
    for (const d of this.doors) d?.queue.retain(this.isLive, to);
    this.stage1.retain(this.isStage1, to);
    for (const [key, first] of this.bySource) if (first !== NO_ATTEMPT) this.bySource.set(key, to(first));
    this.c = c;
    this.used = n;
    this.freeHead = NO_ATTEMPT;
  }
}
