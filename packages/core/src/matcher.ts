/**
 * The knock sequence matcher: knockd's observable matching behaviour without
 * its defects (see shared/knockd-notes.md). Pure: the clock and "is this one
 * of my addresses" are injected, timeouts fire from expire(), not from traffic.
 *
 * Cost per packet is O(doors) and independent of the number of pending
 * attempts: one port-index lookup, one per-IP lookup, then at most one
 * attempt per door of that IP (matcher-store.ts keeps the memory those
 * touch small: at 1M pending each random read is a cache miss).
 */
import type { Door, KnockPacket, MatchEvent, Protocol, Step } from "./types";
import { canonicalIp } from "./cidr";
import { DoorState, doorIdentity, portKey, sequenceKey } from "./matcher-state";
import { hashIpKey, ipKey } from "./matcher-ip-table";
import type { IpKey } from "./matcher-ip-table";
import { AttemptStore } from "./matcher-store";

export interface MatcherOptions {
  now: () => number;
  isLocalAddress: (ip: string) => boolean;
  /** Hard cap on pending attempts (default 250_000); the oldest stage-1 attempt is evicted first. */
  maxAttempts?: number;
  /** handleBatch() reads ahead from this many pending attempts on (default 32_768; tests lower it). */
  readAheadMinPending?: number;
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
const DEFAULT_MAX_ATTEMPTS = 250_000;
/**
 * handleBatch reads ahead only with at least this many attempts pending:
 * below it the table and rows (~48 bytes per attempt) fit in a 1 MB L2 and
 * the reads ahead would be pure overhead (measured: 1k and 10k pending cost
 * the same per packet; misses start between 10k and 100k).
 */
const READ_AHEAD_MIN_PENDING = 32_768;

function checkMaxAttempts(max: number): number {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${max}`);
  return max;
}

/** What the matcher remembers of a one-time door across setDoors calls. */
interface OneTimeMemory {
  listKey: string;
  index: number;
  /** Sequences (by content) already accepted once: never accepted again. */
  used: Set<string>;
}

export class Matcher {
  private readonly now: () => number;
  private readonly isLocalAddress: (ip: string) => boolean;
  private maxAttempts: number;
  private readonly readAheadMinPending: number;
  private readonly store = new AttemptStore();
  private readonly oneTime = new Map<string, OneTimeMemory>();
  private states = new Map<string, DoorState>();
  /** portKey → doors whose FIRST step is that port; every watched port has an entry. */
  private portIndex = new Map<number, DoorState[]>();
  /** Per-instance hash seed: spoofed sources cannot be picked to collide in the per-IP table. */
  private readonly seed = (Math.random() * 0x1_0000_0000) | 0;
  private serial = 0;
  // handleBatch scratch, per packet: the doors its port starts (undefined: unwatched), its IP key and hash.
  private batchStarters = new Array<DoorState[] | undefined>(64).fill(undefined);
  private batchKeys = new Array<IpKey>(64).fill(0);
  private batchHashes = new Int32Array(64);
  /** The warming reads' sum, kept so the compiler cannot drop them. */
  private warmSink = 0;
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
    this.readAheadMinPending = options.readAheadMinPending ?? READ_AHEAD_MIN_PENDING;
    this.setDoors(doors);
  }

  /** Feeds one captured packet; returns what happened, in order. */
  handle(packet: KnockPacket): MatchEvent[] {
    this.packets++;
    const key = portKey(packet.protocol, packet.dport);
    const starters = this.portIndex.get(key);
    if (starters === undefined) {
      this.ignored++;
      return [];
    }
    const ipk = ipKey(packet.src);
    return this.match(packet, key, starters, ipk, hashIpKey(ipk, this.seed));
  }

  /**
   * Feeds packets captured together (one capture read): the same events as
   * handle() on each in turn, `out[i]` for `packets[i]`. First reads, for
   * every watched packet, the table lines and attempt row its lookup will
   * touch (and what evicting at the cap will touch): with 1M pending each is
   * a DRAM access (~150 ns on the benchmark VM), and these independent reads
   * overlap, where handle() waits for them one after another. Matching then
   * runs packet by packet, on the port index of that moment (a one-time door
   * may change it mid-batch); the reads ahead are only a cache hint.
   */
  handleBatch(packets: readonly KnockPacket[]): MatchEvent[][] {
    const n = packets.length;
    // One packet has nothing to overlap with; with few attempts pending the store is in the caches.
    if (n < 2 || this.store.count < this.readAheadMinPending) return packets.map((p) => this.handle(p));
    const out: MatchEvent[][] = new Array<MatchEvent[]>(n);
    if (this.batchHashes.length < n) {
      const size = Math.max(n, this.batchHashes.length * 2);
      this.batchHashes = new Int32Array(size);
      this.batchKeys = new Array<IpKey>(size).fill(0);
      this.batchStarters = new Array<DoorState[] | undefined>(size).fill(undefined);
    }
    const { batchKeys: keys, batchHashes: hashes, batchStarters: starting, store } = this;
    const index = this.portIndex;
    let starts = 0;
    for (let i = 0; i < n; i++) {
      const p = packets[i] as KnockPacket;
      const starters = index.get(portKey(p.protocol, p.dport));
      starting[i] = starters;
      if (starters === undefined) {
        hashes[i] = 0;
        continue;
      }
      const ipk = ipKey(p.src);
      keys[i] = ipk;
      hashes[i] = hashIpKey(ipk, this.seed);
      if (starters.length > 0) starts++;
    }
    let warm = store.warm(hashes, n);
    if (store.count + starts > this.maxAttempts) warm += store.warmVictims(starts);
    this.warmSink = warm;
    for (let i = 0; i < n; i++) {
      const p = packets[i] as KnockPacket;
      const starters = starting[i];
      starting[i] = undefined;
      if (this.portIndex !== index) {
        // a one-time door moved on mid-batch: the rest goes through the new index
        out[i] = this.handle(p);
        continue;
      }
      this.packets++;
      if (starters === undefined) {
        this.ignored++;
        out[i] = [];
      } else {
        out[i] = this.match(p, portKey(p.protocol, p.dport), starters, keys[i] as IpKey, hashes[i] ?? 0);
      }
    }
    return out;
  }

  private match(packet: KnockPacket, key: number, starters: DoorState[], ipk: IpKey, iph: number): MatchEvent[] {
    const now = this.now();
    const serial = ++this.serial;
    const events: MatchEvent[] = [];
    const { src: ip, protocol, flags } = packet;
    this.curDst = packet.dst;
    this.curLocal = 0;
    this.curDstCanon = undefined;

    const store = this.store;
    let next: number;
    for (let a = store.firstOf(ipk, iph); a >= 0; a = next) {
      next = store.next(a);
      const d = store.door(a);
      const stage = store.stage(a);
      if (now - store.start(a) >= d.timeoutMs) {
        this.timeOut(a, events);
      } else if (!this.isAddressedTo(d)) {
        d.busyAt = serial;
      } else if (d.stepKeys[stage] === key && d.flagsHold(protocol, flags)) {
        d.busyAt = serial;
        store.advance(a, now);
        events.push({ kind: "stage", ip, door: d.id, stage: stage + 1, of: d.steps.length });
        if (stage + 1 >= d.steps.length) {
          store.remove(a);
          this.succeed(d, ip, packet.family, now, events);
        }
      } else if (!d.flagsHold(protocol, flags)) {
        // knockd ignores packets whose flags don't fit the door (a SYN-ACK for a syn,!ack door).
        d.busyAt = serial;
      } else if (d.door.tolerateDuplicates && store.dupOk(a) && d.stepKeys[stage - 1] === key && now - store.lastStepAt(a) <= DUPLICATE_WINDOW_MS) {
        d.busyAt = serial;
        store.clearDupOk(a);
        events.push({ kind: "duplicate", ip, door: d.id, stage });
      } else {
        events.push({ kind: "invalidated", ip, door: d.id, stage, port: packet.dport, protocol });
        store.remove(a);
      }
    }

    for (const d of starters) {
      // busyAt: this IP still has (or just completed) an attempt of this door.
      if (d.busyAt === serial || d.stepKeys[0] !== key || !d.flagsHold(protocol, flags) || !this.isAddressedTo(d)) continue;
      this.start(d, ip, ipk, iph, packet.family, now, events);
    }
    store.settle();
    return events;
  }

  /** Fires every timeout due at now(). Call it at nextDeadline(). */
  expire(): MatchEvent[] {
    const now = this.now();
    const events: MatchEvent[] = [];
    for (const d of this.states.values()) {
      // Per-door FIFO in start order: the head is the next deadline.
      for (let a = this.store.headOf(d); a >= 0 && now - this.store.start(a) >= d.timeoutMs; a = this.store.headOf(d)) this.timeOut(a, events);
      if (d.door.cooldownMs > 0) d.cooldowns.prune(now, d.door.cooldownMs);
    }
    this.store.settle();
    return events;
  }

  /** Absolute time (ms) of the next timeout, or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const d of this.states.values()) {
      const head = this.store.headOf(d);
      if (head < 0) continue;
      const due = this.store.start(head) + d.timeoutMs;
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
    const next = new Map<string, DoorState>();
    for (const door of doors) {
      if (next.has(door.id)) throw new Error(`duplicate door id "${door.id}"`);
      const steps = door.oneTimeSequences === undefined ? door.sequence : this.resolveOneTime(door, door.oneTimeSequences);
      const old = this.states.get(door.id);
      let state: DoorState;
      if (old !== undefined && old.identity === doorIdentity(door, steps)) {
        old.door = door;
        state = old;
      } else {
        state = new DoorState(door, steps);
        if (old !== undefined) {
          this.store.removeDoor(old);
          state.cooldowns = old.cooldowns;
        }
      }
      if (!state.isActive) this.store.removeDoor(state);
      next.set(door.id, state);
    }
    for (const [id, old] of this.states) if (next.get(id) !== old) this.store.removeDoor(old);
    this.states = next;
    this.rebuildIndex();
    this.store.settle();
  }

  /** The cap on pending attempts (and on cooldown records per door). */
  get attemptCap(): number {
    return this.maxAttempts;
  }

  /**
   * Changes the cap while running (undefined: the default). Lowering it
   * evicts at once what is over, oldest stage-1 attempts first as at the cap,
   * and trims cooldown records; returns how many attempts were evicted
   * (in one go: ~0.2 µs each, so cutting millions mid-flood holds the
   * packet path for a fraction of a second, once). Throws RangeError for a
   * non-positive or non-integer cap.
   */
  setMaxAttempts(max: number | undefined): number {
    this.maxAttempts = checkMaxAttempts(max ?? DEFAULT_MAX_ATTEMPTS);
    let evicted = 0;
    for (let over = this.store.count - this.maxAttempts; over > 0; over--) {
      const victim = this.store.victim(this.states.values());
      if (victim < 0) break;
      this.store.remove(victim);
      evicted++;
    }
    this.evicted += evicted;
    for (const d of this.states.values()) d.cooldowns.shrinkTo(this.maxAttempts);
    this.store.settle();
    return evicted;
  }

  /** Whether a packet on this port/protocol would be looked at (some enabled door has it in its sequence). */
  isWatched(protocol: Protocol, port: number): boolean {
    return this.portIndex.has(portKey(protocol, port));
  }

  stats(): MatcherStats {
    return {
      pending: this.store.count,
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

  private timeOut(a: number, events: MatchEvent[]): void {
    events.push({ kind: "timeout", ip: this.store.ip(a), door: this.store.door(a).id, stage: this.store.stage(a) });
    this.timeouts++;
    this.store.remove(a);
  }

  private start(d: DoorState, ip: string, ipk: IpKey, iph: number, family: 4 | 6, now: number, events: MatchEvent[]): void {
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
    if (this.store.count >= this.maxAttempts) {
      const victim = this.store.victim(this.states.values());
      if (victim >= 0) {
        this.store.remove(victim);
        this.evicted++;
      }
    }
    this.store.add(ip, ipk, iph, d, now);
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

  /**
   * Retires the sequence just used and moves to the next one never accepted
   * before. Identical later lines are retired too (reported as used) so a
   * sequence is never accepted twice. Pending attempts on the old sequence go.
   */
  private consumeOneTime(d: DoorState, events: MatchEvent[]): void {
    const sequences = d.door.oneTimeSequences ?? [];
    const mem = this.oneTime.get(d.id);
    if (mem === undefined) return; // unreachable: setDoors creates it for every one-time door
    const consumed = [mem.index];
    mem.used.add(sequenceKey(d.steps));
    let index = mem.index + 1;
    while (index < sequences.length && mem.used.has(sequenceKey(sequences[index] ?? []))) consumed.push(index++);
    mem.index = index;
    const exhausted = index >= sequences.length;
    for (const i of consumed) events.push({ kind: "one-time-used", door: d.id, index: i, exhausted });
    this.store.removeDoor(d);
    d.setSteps(sequences[index] ?? []);
    this.rebuildIndex();
  }

  /** The active sequence of a one-time door: never one this matcher already accepted. */
  private resolveOneTime(door: Door, sequences: Step[][]): Step[] {
    const listKey = sequences.map(sequenceKey).join("\n");
    let mem = this.oneTime.get(door.id);
    if (mem === undefined) {
      mem = { listKey, index: 0, used: new Set() };
      this.oneTime.set(door.id, mem);
    }
    let index = Math.max(0, door.oneTimeIndex ?? 0);
    // Same list: the caller's index may lag behind ours (it persists asynchronously).
    if (mem.listKey === listKey) index = Math.max(index, mem.index);
    while (index < sequences.length && mem.used.has(sequenceKey(sequences[index] ?? []))) index++;
    mem.listKey = listKey;
    mem.index = index;
    return sequences[index] ?? [];
  }

  private rebuildIndex(): void {
    const index = new Map<number, DoorState[]>();
    for (const d of this.states.values()) {
      if (!d.isActive) continue;
      d.stepKeys.forEach((k, i) => {
        let starters = index.get(k);
        if (starters === undefined) index.set(k, (starters = []));
        if (i === 0) starters.push(d);
      });
    }
    this.portIndex = index;
  }
}
