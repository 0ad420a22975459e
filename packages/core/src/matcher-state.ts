/**
 * Internal state of the matcher: compiled doors and success cooldowns
 * (pending attempts live in matcher-store.ts).
 */
import type { Door, Protocol, Step, TcpFlagRule } from "./types";
import { TCP_FLAG_BITS } from "./types";
import { canonicalIp } from "./cidr";
import { IpTable, hashIpKey, ipKey } from "./matcher-ip-table";
import type { IpKey } from "./matcher-ip-table";
import { IdQueue, MAX_STAGES } from "./matcher-store";

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

/** A success time, queued in success order so expired cooldowns are pruned from the front. */
export interface CooldownRecord {
  ip: string;
  key: IpKey;
  hash: number;
  at: number;
  next: CooldownRecord | null;
}

/**
 * Cooldowns of one door: lookup by IP plus a FIFO in success order for O(1)
 * amortized pruning. Bounded: a spoofed flood on a single-port door would
 * otherwise leave one record per source for the whole cooldown.
 */
export class CooldownTable {
  private readonly byIp = new IpTable<CooldownRecord>();
  private readonly seed = (Math.random() * 0x1_0000_0000) | 0;
  private head: CooldownRecord | null = null;
  private tail: CooldownRecord | null = null;

  get size(): number {
    return this.byIp.size;
  }

  lastSuccess(ip: string): number | undefined {
    const key = ipKey(ip);
    return this.byIp.get(key, hashIpKey(key, this.seed))?.at;
  }

  /** Records a success; beyond `limit` records the oldest is forgotten. */
  record(ip: string, at: number, limit: number): void {
    const key = ipKey(ip);
    const rec: CooldownRecord = { ip, key, hash: hashIpKey(key, this.seed), at, next: null };
    this.byIp.set(rec.hash, rec);
    if (this.tail === null) this.head = rec;
    else this.tail.next = rec;
    this.tail = rec;
    this.shrinkTo(limit);
  }

  /** Forgets the oldest records beyond `limit`. */
  shrinkTo(limit: number): void {
    while (this.byIp.size > limit && this.head !== null) this.dropHead();
  }

  /** Drops records older than `cooldownMs` (superseded records are skipped). */
  prune(now: number, cooldownMs: number): void {
    while (this.head !== null && now - this.head.at >= cooldownMs) this.dropHead();
  }

  private dropHead(): void {
    const rec = this.head;
    if (rec === null) return;
    if (this.byIp.get(rec.key, rec.hash) === rec) this.byIp.delete(rec.key, rec.hash);
    this.head = rec.next;
    if (this.head === null) this.tail = null;
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
  /** Its pending attempts in start order (ids in the AttemptStore), their count and its store registry slot. */
  readonly queue = new IdQueue();
  pending = 0;
  storeIndex = -1;

  /** Throws RangeError beyond MAX_STAGES steps (the store packs the stage in 6 bits; configs allow 32). */
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
