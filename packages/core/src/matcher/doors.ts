/**
 * The matcher's door set: compiled doors by id, the port index, and what it
 * remembers of one-time doors across setDoors calls.
 */
import type { Door, Step } from "../types";
import { DoorState, doorIdentity, sequenceKey } from "./state";

interface OneTimeMemory {
  listKey: string;
  index: number;
  /** Sequences (by content) already accepted once: never accepted again. */
  used: Set<string>;
}

export class DoorSet {
  private states = new Map<string, DoorState>();
  /** portKey → doors whose FIRST step is that port; every watched port has an entry. */
  private portIndex = new Map<number, DoorState[]>();
  private readonly oneTime = new Map<string, OneTimeMemory>();

  values(): IterableIterator<DoorState> {
    return this.states.values();
  }

  /** Doors whose sequence starts at this port key, or undefined when no door watches it at all. */
  startersOf(key: number): DoorState[] | undefined {
    return this.portIndex.get(key);
  }

  /**
   * Replaces the set; `drop` is called for each door whose attempts must go
   * (identity changed, disabled, removed). Throws on duplicate door ids.
   */
  replace(doors: Door[], drop: (d: DoorState) => void): void {
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
          drop(old);
          state.cooldowns = old.cooldowns;
        }
      }
      if (!state.isActive) drop(state);
      next.set(door.id, state);
    }
    for (const [id, old] of this.states) if (next.get(id) !== old) drop(old);
    this.states = next;
    this.rebuildIndex();
  }

  /**
   * Retires the sequence a one-time door just accepted and moves it to the
   * next one never accepted before. Identical later lines are retired too
   * (reported as used) so a sequence is never accepted twice. The caller
   * drops the door's pending attempts first.
   */
  consumeOneTime(d: DoorState): { consumed: number[]; exhausted: boolean } {
    const sequences = d.door.oneTimeSequences ?? [];
    const mem = this.oneTime.get(d.id);
    if (mem === undefined) return { consumed: [], exhausted: false }; // unreachable: replace() creates it for every one-time door
    const consumed = [mem.index];
    mem.used.add(sequenceKey(d.steps));
    let index = mem.index + 1;
    while (index < sequences.length && mem.used.has(sequenceKey(sequences[index] ?? []))) consumed.push(index++);
    mem.index = index;
    d.setSteps(sequences[index] ?? []);
    this.rebuildIndex();
    return { consumed, exhausted: index >= sequences.length };
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
