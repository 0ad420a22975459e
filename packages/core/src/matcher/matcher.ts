/**
 * The knock sequence matcher: knockd's observable matching behaviour without
 * its defects (see shared/knockd-notes.md). Pure: the clock and "is this one
 * of my addresses" are injected, timeouts fire from expire(), not from traffic.
 *
 * Cost per packet is O(doors) and independent of the number of pending
 * attempts: one port-index lookup, one per-source lookup, then at most one
 * attempt per door of that source (attempts.ts).
 */
import type { Door, KnockPacket, MatchEvent, Protocol } from "../types";
import { canonicalIp } from "../net/ip";
import { DEFAULT_MAX_ATTEMPTS } from "../settings/limits";
import { Attempts, NO_ATTEMPT, type Attempt } from "./attempts";
import { DoorSet } from "./doors";
import { type DoorState, portKey } from "./state";

export interface MatcherOptions {
  now: () => number;
  isLocalAddress: (ip: string) => boolean;
  /** Hard cap on pending attempts (default DEFAULT_MAX_ATTEMPTS, 250,000); the oldest stage-1 attempt is evicted first. */
  maxAttempts?: number;
}

export interface MatcherStats {
  pending: number;
  evicted: number;
  packets: number;
  ignored: number;
  opened: number;
  timeouts: number;
}

/** A repeat of the step just matched counts as a duplicate only this soon after it. */
const DUPLICATE_WINDOW_MS = 1000;

function checkMaxAttempts(max: number): number {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${max}`);
  return max;
}

export class Matcher {
  private readonly now: () => number;
  private readonly isLocalAddress: (ip: string) => boolean;
  private maxAttempts: number;
  private readonly attempts = new Attempts();
  private readonly doors = new DoorSet();
  private serial = 0;
  private evicted = 0;
  private packets = 0;
  private ignored = 0;
  private opened = 0;
  private timeouts = 0;
  // Per-packet scratch, so the hot path allocates no closures.
  private curDst = "";
  private curLocal = 0; // 0 unknown, 1 local, 2 not local
  private curDstCanon: string | null | undefined;

  /** Throws RangeError for a non-positive maxAttempts and Error for duplicate door ids. */
  constructor(doors: Door[], options: MatcherOptions) {
    this.now = options.now;
    this.isLocalAddress = options.isLocalAddress;
    this.maxAttempts = checkMaxAttempts(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.setDoors(doors);
  }

  /** Feeds one captured packet; returns what happened, in order. */
  handle(packet: KnockPacket): MatchEvent[] {
    this.packets++;
    const key = portKey(packet.protocol, packet.dport);
    const starters = this.doors.startersOf(key);
    if (starters === undefined) {
      this.ignored++;
      return [];
    }
    return this.match(packet, key, starters);
  }

  /** Feeds packets captured together (one capture read): `out[i]` is handle(packets[i]), in turn. */
  handleBatch(packets: readonly KnockPacket[]): MatchEvent[][] {
    return packets.map((p) => this.handle(p));
  }

  private match(packet: KnockPacket, key: number, starters: DoorState[]): MatchEvent[] {
    const now = this.now();
    const serial = ++this.serial;
    const events: MatchEvent[] = [];
    const { src: ip, protocol, flags } = packet;
    this.curDst = packet.dst;
    this.curLocal = 0;
    this.curDstCanon = undefined;

    const attempts = this.attempts;
    let next: Attempt;
    for (let a = attempts.firstOf(ip); a !== NO_ATTEMPT; a = next) {
      next = attempts.nextOf(a);
      const d = attempts.doorOf(a);
      const stage = attempts.stageOf(a);
      if (now - attempts.startOf(a) >= d.timeoutMs) {
        this.timeOut(a, events);
      } else if (!this.isAddressedTo(d)) {
        d.busyAt = serial;
      } else if (d.stepKeys[stage] === key && d.flagsHold(protocol, flags)) {
        d.busyAt = serial;
        attempts.advance(a, now);
        events.push({ kind: "stage", ip, door: d.id, stage: stage + 1, of: d.steps.length });
        if (stage + 1 >= d.steps.length) {
          attempts.remove(a);
          this.succeed(d, ip, packet.family, now, events);
        }
      } else if (!d.flagsHold(protocol, flags)) {
        // knockd ignores packets whose flags don't fit the door (a SYN-ACK for a syn,!ack door).
        d.busyAt = serial;
      } else if (d.door.tolerateDuplicates && attempts.isDupOk(a) && d.stepKeys[stage - 1] === key && now - attempts.lastStepAt(a) <= DUPLICATE_WINDOW_MS) {
        d.busyAt = serial;
        attempts.useDuplicate(a);
        events.push({ kind: "duplicate", ip, door: d.id, stage });
      } else {
        events.push({ kind: "invalidated", ip, door: d.id, stage, port: packet.dport, protocol });
        attempts.remove(a);
      }
    }

    for (const d of starters) {
      // busyAt: this IP still has (or just completed) an attempt of this door.
      if (d.busyAt === serial || d.stepKeys[0] !== key || !d.flagsHold(protocol, flags) || !this.isAddressedTo(d)) continue;
      this.start(d, ip, packet.family, now, events);
    }
    attempts.settle();
    return events;
  }

  /** Fires every timeout due at now(). Call it at nextDeadline(). */
  expire(): MatchEvent[] {
    const now = this.now();
    const events: MatchEvent[] = [];
    for (const d of this.doors.values()) {
      // Per-door FIFO in start order: the head is the next deadline.
      for (let a = this.attempts.headOf(d); a !== NO_ATTEMPT && now - this.attempts.startOf(a) >= d.timeoutMs; a = this.attempts.headOf(d)) this.timeOut(a, events);
      if (d.door.cooldownMs > 0) d.cooldowns.prune(now, d.door.cooldownMs);
    }
    this.attempts.settle();
    return events;
  }

  /** Absolute time (ms) of the next timeout, or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const d of this.doors.values()) {
      const head = this.attempts.headOf(d);
      if (head === NO_ATTEMPT) continue;
      const due = this.attempts.startOf(head) + d.timeoutMs;
      if (min === undefined || due < min) min = due;
    }
    return min;
  }

  /**
   * Replaces the door set. Attempts of doors whose id, active sequence, TCP
   * flags, target and timeout are unchanged survive; others are dropped.
   * One-time doors never go back to a sequence this matcher already accepted,
   * whatever oneTimeIndex says. Throws on duplicate door ids (programmer error).
   */
  setDoors(doors: Door[]): void {
    this.doors.replace(doors, (d) => this.attempts.removeDoor(d));
    this.attempts.settle();
  }

  /** The cap on pending attempts (and on cooldown records per door). */
  get attemptCap(): number {
    return this.maxAttempts;
  }

  /**
   * Changes the cap while running (undefined: the default). Lowering it
   * evicts at once what is over, oldest stage-1 attempts first as at the cap,
   * and trims cooldown records; returns how many attempts were evicted
   * (in one go, so cutting millions mid-flood holds the packet path for a
   * fraction of a second, once). Throws RangeError for a
   * non-positive or non-integer cap.
   */
  setMaxAttempts(max: number | undefined): number {
    this.maxAttempts = checkMaxAttempts(max ?? DEFAULT_MAX_ATTEMPTS);
    let evicted = 0;
    for (let over = this.attempts.count - this.maxAttempts; over > 0; over--) {
      const victim = this.attempts.victim(this.doors.values());
      if (victim === NO_ATTEMPT) break;
      this.attempts.remove(victim);
      evicted++;
    }
    this.evicted += evicted;
    for (const d of this.doors.values()) d.cooldowns.shrinkTo(this.maxAttempts);
    this.attempts.settle();
    return evicted;
  }

  /** Whether a packet on this port/protocol would be looked at (some enabled door has it in its sequence). */
  isWatched(protocol: Protocol, port: number): boolean {
    return this.doors.startersOf(portKey(protocol, port)) !== undefined;
  }

  stats(): MatcherStats {
    return {
      pending: this.attempts.count,
      evicted: this.evicted,
      packets: this.packets,
      ignored: this.ignored,
      opened: this.opened,
      timeouts: this.timeouts,
    };
  }

  private isAddressedTo(d: DoorState): boolean {
    if (d.target === undefined) {
      if (this.curLocal === 0) this.curLocal = this.isLocalAddress(this.curDst) ? 1 : 2;
      return this.curLocal === 1;
    }
    if (this.curDst === d.target) return true;
    if (this.curDstCanon === undefined) this.curDstCanon = canonicalIp(this.curDst);
    return this.curDstCanon === d.target;
  }

  private timeOut(a: Attempt, events: MatchEvent[]): void {
    events.push({ kind: "timeout", ip: this.attempts.ipOf(a), door: this.attempts.doorOf(a).id, stage: this.attempts.stageOf(a) });
    this.timeouts++;
    this.attempts.remove(a);
  }

  private start(d: DoorState, ip: string, family: 4 | 6, now: number, events: MatchEvent[]): void {
    const cooldownMs = d.door.cooldownMs;
    if (cooldownMs > 0) {
      const last = d.cooldowns.lastSuccess(ip);
      if (last !== undefined && now - last < cooldownMs) {
        events.push({ kind: "cooldown", ip, door: d.id });
        return;
      }
    }
    events.push({ kind: "stage", ip, door: d.id, stage: 1, of: d.steps.length });
    if (d.steps.length === 1) {
      this.succeed(d, ip, family, now, events);
      return;
    }
    if (this.attempts.count >= this.maxAttempts) {
      const victim = this.attempts.victim(this.doors.values());
      if (victim !== NO_ATTEMPT) {
        this.attempts.remove(victim);
        this.evicted++;
      }
    }
    this.attempts.add(ip, d, now);
  }

  private succeed(d: DoorState, ip: string, family: 4 | 6, now: number, events: MatchEvent[]): void {
    events.push({ kind: "open-sesame", ip, door: d.id, family });
    this.opened++;
    const cooldownMs = d.door.cooldownMs;
    if (cooldownMs > 0) {
      d.cooldowns.prune(now, cooldownMs);
      d.cooldowns.record(ip, now, this.maxAttempts);
    }
    if (d.isOneTime) this.consumeOneTime(d, events);
  }

  /** A one-time door moves to its next sequence: pending attempts on the old one go. */
  private consumeOneTime(d: DoorState, events: MatchEvent[]): void {
    this.attempts.removeDoor(d);
    const { consumed, exhausted } = this.doors.consumeOneTime(d);
    for (const index of consumed) events.push({ kind: "one-time-used", door: d.id, index, exhausted });
  }
}
