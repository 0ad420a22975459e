/**
 * Pending knock attempts: a Map from source address to its attempts (at
 * most one per door, chained in start order), a queue per door in start
 * order (deadlines are monotonic per door, so its head is the next timeout)
 * and one queue of stage-1 attempts (the victims at the cap: spoofers
 * rarely get past stage 1, real users are at stage >= 2). Removing an
 * attempt only marks it gone; the queues skip gone entries at their head
 * and drop them when they outnumber live ones, so every operation is O(1)
 * amortized and memory follows the live count down after a flood.
 *
 * Under a flood at the cap every packet evicts an attempt and starts one.
 * As fresh objects, with the source's text kept alive, each lived long
 * enough to die in V8's old generation, which ran far ahead of its
 * collector. So removed attempts are reused (a few, SPARE_ATTEMPTS: a reused
 * one gets a new generation, and queue entries carry the one they were
 * pushed with) and IPv4 sources are kept as numbers. Worker at 100k pps
 * (bench flood, 2026-12-02, one run each; the old typed-array store: peak
 * RSS 107 MB, 7.2 s CPU): plain objects 289 MB; with --optimize-for-size
 * (scripts/worker.sh) 215 MB, 11.4 s CPU and 13/20 knocks opened; with that
 * flag, reuse and numbers 185 MB, 7.2 s, 20/20.
 */
import { Fifo } from "./fifo";
import type { DoorState } from "./state";

export interface Attempt {
  /** The source: a canonical IPv4 address as its 32-bit value (no string kept alive), other text as is. */
  ip: number | string;
  door: DoorState;
  /** Time of the first knock: the attempt times out seq_timeout after it. */
  start: number;
  /** Steps matched so far (1 after the first knock). */
  stage: number;
  lastStepAt: number;
  /** A duplicate of the last knock would still be tolerated (tolerateDuplicates doors). */
  isDupOk: boolean;
  /** Removed: the queues that still hold it skip it. */
  isGone: boolean;
  /** The same source's next attempt (of another door). */
  next: Attempt | undefined;
  /** Bumped on reuse: queue entries of an earlier generation are stale. */
  gen: number;
}

/** Removed attempts kept for reuse: enough for a flood's evict-then-start, nothing once it drains. */
const SPARE_ATTEMPTS = 1024;

/**
 * Sources with no attempt left are kept (null) and swept in bulk once they
 * are more than half as many as the others, plus this many. Deleting them
 * at once is what V8's Map handles badly: a deleted entry stays in its
 * bucket chain until the next rehash, so one source starting and losing
 * attempts over and over piles holes into one chain (measured ~50 µs per
 * packet with 200k pending; see matcher-perf.test.ts "same-source churn").
 * Half, not more: at the largest cap (5M) the Map then stays within V8's
 * limit of 2^24 entries, deleted ones included.
 */
const SPARE_SOURCES = 1024;

/**
 * A canonical dotted-quad IPv4 as its 32-bit value, anything else (IPv6,
 * text with leading zeros: the text must round-trip) as the text itself.
 * (See the top of this file for why not always the text.)
 */
function parseIp(ip: string): number | string {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return ip; // a leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3) return ip;
    } else if (c === 46 && digits > 0 && part <= 255 && ++dots <= 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return ip;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return ip;
  return (value * 256 + part) | 0;
}

/** The source's text, for events. */
export function ipText(ip: number | string): string {
  return typeof ip === "string" ? ip : `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/**
 * The Map key of a source: V8 hashes numbers without a seed, so spoofed
 * sources could be chosen to share a bucket; murmur3's finaliser over the
 * address xor a per-process seed is a bijection (distinct addresses, distinct
 * keys) whose buckets cannot be predicted. Strings are hashed by V8 with its
 * own per-process seed.
 */
function keyOf(ip: number | string, seed: number): number | string {
  if (typeof ip === "string") return ip;
  let h = ip ^ seed;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export class Attempts {
  private readonly bySource = new Map<number | string, Attempt | null>();
  private readonly seed = (Math.random() * 0x1_0000_0000) | 0;
  /** Entries of bySource with at least one attempt. */
  private sources = 0;
  private readonly stage1 = new Fifo<Attempt>();
  private stage1Count = 0;
  private live = 0;
  private readonly spare: Attempt[] = [];

  get count(): number {
    return this.live;
  }

  /** The source's first attempt; follow `next` for the others. */
  firstOf(ip: string): Attempt | undefined {
    return this.bySource.get(keyOf(parseIp(ip), this.seed)) ?? undefined;
  }

  /** Starts an attempt at stage 1. */
  add(text: string, door: DoorState, now: number): void {
    const ip = parseIp(text);
    const key = keyOf(ip, this.seed);
    const a = this.spare.pop() ?? { ip, door, start: now, stage: 1, lastStepAt: now, isDupOk: true, isGone: false, next: undefined, gen: 0 };
    a.ip = ip;
    a.door = door;
    a.start = now;
    a.stage = 1;
    a.lastStepAt = now;
    a.isDupOk = true;
    a.isGone = false;
    a.next = undefined;
    const first = this.bySource.get(key);
    if (first === undefined || first === null) {
      this.bySource.set(key, a);
      this.sources++;
    } else {
      let last = first;
      while (last.next !== undefined) last = last.next;
      last.next = a;
    }
    this.live++;
    door.pending++;
    door.queue.push(a, a.gen);
    this.stage1Count++;
    this.stage1.push(a, a.gen);
    this.tidy(door);
  }

  /** Records one more matched step. */
  advance(a: Attempt, now: number): void {
    if (a.stage === 1) this.stage1Count--;
    a.stage++;
    a.lastStepAt = now;
    a.isDupOk = true;
    this.tidy(a.door);
  }

  remove(a: Attempt): void {
    if (a.isGone) return;
    a.isGone = true;
    this.live--;
    a.door.pending--;
    if (a.stage === 1) this.stage1Count--;
    const key = keyOf(a.ip, this.seed);
    const first = this.bySource.get(key);
    if (first === a) {
      this.bySource.set(key, a.next ?? null);
      if (a.next === undefined) this.sources--;
    } else {
      let prev = first;
      while (prev != null && prev.next !== a) prev = prev.next;
      if (prev != null) prev.next = a.next;
    }
    this.tidy(a.door);
    if (this.spare.length < SPARE_ATTEMPTS) {
      a.gen++;
      this.spare.push(a);
    }
  }

  /** Removes every attempt of a door (config change, used one-time sequence). */
  removeDoor(door: DoorState): void {
    for (let a = this.headOf(door); a !== undefined; a = this.headOf(door)) this.remove(a);
  }

  /** Oldest live attempt of a door (its next deadline). */
  headOf(door: DoorState): Attempt | undefined {
    let a = door.queue.peek();
    while (a !== undefined && !isLive(a, door.queue.peekTag())) {
      door.queue.shift();
      a = door.queue.peek();
    }
    return a;
  }

  /** The attempt to sacrifice at the cap: the oldest stage-1 attempt, else the oldest of any door. */
  victim(doors: Iterable<DoorState>): Attempt | undefined {
    let a = this.stage1.peek();
    while (a !== undefined && !isStage1(a, this.stage1.peekTag())) {
      this.stage1.shift();
      a = this.stage1.peek();
    }
    if (a !== undefined) return a;
    let oldest: Attempt | undefined;
    for (const d of doors) {
      const head = this.headOf(d);
      if (head !== undefined && (oldest === undefined || head.start < oldest.start)) oldest = head;
    }
    return oldest;
  }

  /** Call after a packet or a round of timeouts: sweeps sources left without attempts once they are many. */
  settle(): void {
    if (this.bySource.size - this.sources <= this.sources / 2 + SPARE_SOURCES) return;
    for (const [key, first] of this.bySource) if (first === null) this.bySource.delete(key);
  }

  /**
   * Drops stale queue entries once they outnumber live ones (they would keep
   * removed attempts in memory behind a long-lived head): each entry is
   * copied O(1) times on average.
   */
  private tidy(door: DoorState): void {
    if (door.pending === 0) door.queue.clear();
    else if (door.queue.length > 2 * door.pending + 64) door.queue.retain(isLive);
    if (this.stage1Count === 0) this.stage1.clear();
    else if (this.stage1.length > 2 * this.stage1Count + 64) this.stage1.retain(isStage1);
  }
}

/** A queue entry (attempt, generation pushed with) still names a pending attempt. */
function isLive(a: Attempt, gen: number): boolean {
  return !a.isGone && a.gen === gen;
}

function isStage1(a: Attempt, gen: number): boolean {
  return isLive(a, gen) && a.stage === 1;
}
