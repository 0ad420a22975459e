/**
 * Pending attempts, indexed three ways with O(1) insert/remove:
 * - per IP (IpTable<first attempt> + intrusive list of that IP's attempts,
 *   at most one per door): the packet path;
 * - per door FIFO in start order: deadlines are monotonic per door, so the
 *   head is the next timeout and expire() never scans;
 * - a global FIFO of stage-1 attempts: eviction victims under a spoofed flood
 *   (spoofers never get past stage 1, real users are at stage >= 2).
 */
import { Attempt } from "./matcher-state";
import type { DoorState } from "./matcher-state";
import { IpTable } from "./matcher-ip-table";
import type { IpKey } from "./matcher-ip-table";

/** Removed attempts kept for reuse: enough to absorb flood churn, small enough not to matter. */
const POOL_MAX = 1024;

export class AttemptStore {
  private readonly byIp = new IpTable<Attempt>();
  private s1Head: Attempt | null = null;
  private s1Tail: Attempt | null = null;
  private readonly pool: Attempt[] = [];
  count = 0;

  /** First attempt of an IP (by ipKey and its hash); follow `iNext` for the others (at most one per door). */
  firstOf(key: IpKey, hash: number): Attempt | null {
    return this.byIp.get(key, hash) ?? null;
  }

  /** Starts an attempt at stage 1. */
  add(ip: string, key: IpKey, hash: number, door: DoorState, now: number): Attempt {
    const a = this.pool.pop()?.reset(ip, key, hash, door, now) ?? new Attempt(ip, key, hash, door, now);
    // door FIFO (append: start order)
    a.dPrev = door.tail;
    if (door.tail === null) door.head = a;
    else door.tail.dNext = a;
    door.tail = a;
    // per-IP list (append, so events come out in start order)
    const first = this.byIp.get(key, hash);
    if (first === undefined) {
      this.byIp.set(hash, a);
    } else {
      let last = first;
      while (last.iNext !== null) last = last.iNext;
      last.iNext = a;
      a.iPrev = last;
    }
    // stage-1 FIFO
    a.inStage1 = true;
    a.sPrev = this.s1Tail;
    if (this.s1Tail === null) this.s1Head = a;
    else this.s1Tail.sNext = a;
    this.s1Tail = a;
    this.count++;
    return a;
  }

  /** Records one more matched step. */
  advance(a: Attempt, now: number): void {
    a.stage++;
    a.lastStepAt = now;
    a.dupOk = true;
    if (a.inStage1) this.unlinkStage1(a);
  }

  /** Removes an attempt from every index (O(1) apart from the per-IP map entry). */
  remove(a: Attempt): void {
    const door = a.door;
    if (a.dPrev === null) door.head = a.dNext;
    else a.dPrev.dNext = a.dNext;
    if (a.dNext === null) door.tail = a.dPrev;
    else a.dNext.dPrev = a.dPrev;
    a.dPrev = a.dNext = null;

    if (a.iPrev !== null) {
      a.iPrev.iNext = a.iNext;
    } else if (a.iNext !== null) {
      this.byIp.set(a.hash, a.iNext);
    } else {
      this.byIp.delete(a.key, a.hash);
    }
    if (a.iNext !== null) a.iNext.iPrev = a.iPrev;
    a.iPrev = a.iNext = null;

    if (a.inStage1) this.unlinkStage1(a);
    this.count--;
    if (this.pool.length < POOL_MAX) this.pool.push(a);
  }

  /** Removes every attempt of a door (config change, used one-time sequence). */
  removeDoor(door: DoorState): void {
    while (door.head !== null) this.remove(door.head);
  }

  /**
   * The attempt to sacrifice at the cap: the oldest stage-1 attempt, else the
   * oldest attempt of any door (min over the door FIFO heads; doors are few).
   */
  victim(doors: Iterable<DoorState>): Attempt | null {
    if (this.s1Head !== null) return this.s1Head;
    let oldest: Attempt | null = null;
    for (const d of doors) if (d.head !== null && (oldest === null || d.head.start < oldest.start)) oldest = d.head;
    return oldest;
  }

  private unlinkStage1(a: Attempt): void {
    if (a.sPrev === null) this.s1Head = a.sNext;
    else a.sPrev.sNext = a.sNext;
    if (a.sNext === null) this.s1Tail = a.sPrev;
    else a.sNext.sPrev = a.sPrev;
    a.sPrev = a.sNext = null;
    a.inStage1 = false;
  }
}
