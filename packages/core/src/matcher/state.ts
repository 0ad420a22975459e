/**
 * The matcher's compiled doors and success cooldowns (pending attempts live
 * in attempts.ts).
 */
import type { Door, Protocol, Step, TcpFlagRule } from "../types";
import { TCP_FLAG_BITS } from "../types";
import { canonicalIp } from "../net/ip";
import { Fifo } from "./fifo";
import { SlotQueue } from "./slot-queue";

/** The longest sequence the matcher takes (configs and the web form stop at 32). */
export const MAX_STAGES = 63;

/** Numeric key of a (protocol, port) pair; cheaper to hash than "tcp:7000". */
export function portKey(protocol: Protocol, port: number): number {
  return protocol === "udp" ? port + 0x10000 : port;
}

/** Bit masks of a TCPFlags rule. */
export function flagMasks(rule: TcpFlagRule): { set: number; clear: number } {
  let set = 0;
  let clear = 0;
  for (const f of rule.set) set |= TCP_FLAG_BITS[f];
  for (const f of rule.clear) clear |= TCP_FLAG_BITS[f];
  return { set, clear };
}

/** Text identity of a sequence, e.g. "tcp:7000,udp:8000". */
export function sequenceKey(steps: readonly Step[]): string {
  return steps.map((s) => `${s.protocol}:${s.port}`).join(",");
}

interface CooldownRecord {
  readonly ip: string;
  readonly at: number;
}

/**
 * Last success per source of one door, plus the successes in order so
 * expired ones are pruned from the front. Bounded: a spoofed flood on a
 * single-port door would otherwise leave one record per source for the
 * whole cooldown.
 */
export class CooldownTable {
  private readonly lastByIp = new Map<string, CooldownRecord>();
  /** Successes in order; a record is stale once its source succeeded again. */
  private readonly order = new Fifo<CooldownRecord>();

  get size(): number {
    return this.lastByIp.size;
  }

  lastSuccess(ip: string): number | undefined {
    return this.lastByIp.get(ip)?.at;
  }

  /** Records a success; beyond `limit` records the oldest is forgotten. */
  record(ip: string, at: number, limit: number): void {
    const r = { ip, at };
    this.lastByIp.set(ip, r);
    this.order.push(r);
    if (this.order.length > 2 * this.lastByIp.size + 64) this.order.retain((o) => this.lastByIp.get(o.ip) === o);
    this.shrinkTo(limit);
  }

  /** Forgets the oldest records beyond `limit`. */
  shrinkTo(limit: number): void {
    while (this.lastByIp.size > limit && this.order.length > 0) this.dropOldest();
  }

  /** Drops records older than `cooldownMs`. */
  prune(now: number, cooldownMs: number): void {
    for (let r = this.order.peek(); r !== undefined && now - r.at >= cooldownMs; r = this.order.peek()) this.dropOldest();
  }

  private dropOldest(): void {
    const r = this.order.peek();
    if (r === undefined) return;
    if (this.lastByIp.get(r.ip) === r) this.lastByIp.delete(r.ip);
    this.order.shift();
  }
}

/** A door compiled for matching. Reused across setDoors while its identity is unchanged. */
export class DoorState {
  readonly id: string;
  door: Door;
  steps: Step[];
  /** portKey of each step, for cheap comparisons on the hot path. */
  stepKeys: number[];
  readonly setMask: number;
  readonly clearMask: number;
  readonly timeoutMs: number;
  /** Canonical Target address, or undefined for "the host's own addresses". */
  readonly target: string | undefined;
  identity: string;
  cooldowns = new CooldownTable();
  /** Packet serial of the last packet that advanced, completed or left alone an attempt of this door. */
  busyAt = -1;
  /** Its attempts in start order (the head is the next timeout; removed ones are skipped) and how many are live. */
  readonly queue = new SlotQueue();
  pending = 0;
  /** Its index in the attempt store's door column (attempts.ts), while it has attempts. */
  attemptIndex = -1;

  /** Throws RangeError beyond MAX_STAGES steps. */
  constructor(door: Door, steps: Step[]) {
    checkSteps(steps);
    this.id = door.id;
    this.door = door;
    this.steps = steps;
    this.stepKeys = steps.map((s) => portKey(s.protocol, s.port));
    const masks = flagMasks(door.tcpFlags);
    this.setMask = masks.set;
    this.clearMask = masks.clear;
    this.timeoutMs = door.seqTimeoutMs;
    this.target = door.target === undefined ? undefined : (canonicalIp(door.target) ?? door.target);
    this.identity = doorIdentity(door, steps);
  }

  get isOneTime(): boolean {
    return this.door.oneTimeSequences !== undefined;
  }

  get isActive(): boolean {
    return this.door.enabled && this.steps.length > 0;
  }

  /** Switches a one-time door to its next sequence (empty when exhausted). */
  setSteps(steps: Step[]): void {
    checkSteps(steps);
    this.steps = steps;
    this.stepKeys = steps.map((s) => portKey(s.protocol, s.port));
    this.identity = doorIdentity(this.door, steps);
  }

  /** TCP flag precondition (UDP packets always pass). */
  flagsHold(protocol: Protocol, flags: number): boolean {
    return protocol !== "tcp" || ((flags & this.setMask) === this.setMask && (flags & this.clearMask) === 0);
  }
}

function checkSteps(steps: readonly Step[]): void {
  if (steps.length > MAX_STAGES) throw new RangeError(`a knock sequence has at most ${MAX_STAGES} steps here, got ${steps.length}`);
}

/** What must stay equal for in-progress attempts to survive a setDoors. */
export function doorIdentity(door: Door, steps: readonly Step[]): string {
  const m = flagMasks(door.tcpFlags);
  const target = door.target === undefined ? "" : (canonicalIp(door.target) ?? door.target);
  return `${door.id}\n${sequenceKey(steps)}\n${m.set}/${m.clear}\n${target}\n${door.seqTimeoutMs}`;
}
