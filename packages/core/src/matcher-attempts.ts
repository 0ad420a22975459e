/**
 * Pending knock attempts: a Map from source address to its attempts (at
 * most one per door, chained in start order), a queue per door in start
 * order (deadlines are monotonic per door, so its head is the next timeout)
 * and one queue of stage-1 attempts (the victims at the cap: spoofers
 * rarely get past stage 1, real users are at stage >= 2). Removing an
 * attempt only marks it gone; the queues skip gone entries at their head
 * and drop them when they outnumber live ones, so every operation is O(1)
 * amortized and memory follows the live count down after a flood.
 */
import { Fifo } from "./matcher-fifo";
import type { DoorState } from "./matcher-state";

export interface Attempt {
  readonly ip: string;
  readonly door: DoorState;
  /** Time of the first knock: the attempt times out seq_timeout after it. */
  readonly start: number;
  /** Steps matched so far (1 after the first knock). */
  stage: number;
  lastStepAt: number;
  /** A duplicate of the last knock would still be tolerated (tolerateDuplicates doors). */
  isDupOk: boolean;
  /** Removed: the queues that still hold it skip it. */
  isGone: boolean;
  /** The same source's next attempt (of another door). */
  next: Attempt | undefined;
}

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

export class Attempts {
  private readonly bySource = new Map<string, Attempt | null>();
  /** Entries of bySource with at least one attempt. */
  private sources = 0;
  private readonly stage1 = new Fifo<Attempt>();
  private stage1Count = 0;
  private live = 0;

  get count(): number {
    return this.live;
  }

  /** The source's first attempt; follow `next` for the others. */
  firstOf(ip: string): Attempt | undefined {
    return this.bySource.get(ip) ?? undefined;
  }

  /** Starts an attempt at stage 1. */
  add(ip: string, door: DoorState, now: number): void {
    const a: Attempt = { ip, door, start: now, stage: 1, lastStepAt: now, isDupOk: true, isGone: false, next: undefined };
    const first = this.bySource.get(ip);
    if (first === undefined || first === null) {
      this.bySource.set(ip, a);
      this.sources++;
    } else {
      let last = first;
      while (last.next !== undefined) last = last.next;
      last.next = a;
    }
    this.live++;
    door.pending++;
    door.queue.push(a);
    this.stage1Count++;
    this.stage1.push(a);
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
    const first = this.bySource.get(a.ip);
    if (first === a) {
      this.bySource.set(a.ip, a.next ?? null);
      if (a.next === undefined) this.sources--;
    } else {
      let prev = first;
      while (prev != null && prev.next !== a) prev = prev.next;
      if (prev != null) prev.next = a.next;
    }
    this.tidy(a.door);
  }

  /** Removes every attempt of a door (config change, used one-time sequence). */
  removeDoor(door: DoorState): void {
    for (let a = this.headOf(door); a !== undefined; a = this.headOf(door)) this.remove(a);
  }

  /** Oldest live attempt of a door (its next deadline). */
  headOf(door: DoorState): Attempt | undefined {
    let a = door.queue.peek();
    while (a !== undefined && a.isGone) {
      door.queue.shift();
      a = door.queue.peek();
    }
    return a;
  }

  /** The attempt to sacrifice at the cap: the oldest stage-1 attempt, else the oldest of any door. */
  victim(doors: Iterable<DoorState>): Attempt | undefined {
    let a = this.stage1.peek();
    while (a !== undefined && !isStage1(a)) {
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
    for (const [ip, first] of this.bySource) if (first === null) this.bySource.delete(ip);
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

function isLive(a: Attempt): boolean {
  return !a.isGone;
}

function isStage1(a: Attempt): boolean {
  return !a.isGone && a.stage === 1;
}
