/**
 * A first-in first-out queue of attempt slots, each with the generation it
 * was pushed with (a slot reused since is a stale entry), in two Int32Arrays.
 * Typed arrays, not a JS array: V8's collector never scans their contents,
 * and a quarter-million entries under a flood would otherwise be walked at
 * every full collection (see attempts.ts for the measurement). The live range
 * [head, tail) moves to the front or the buffer doubles when the tail hits
 * the end; clear() and retain() give memory back.
 */
const MIN_CAPACITY = 64;

export class SlotQueue {
  private slots = new Int32Array(MIN_CAPACITY);
  private gens = new Int32Array(MIN_CAPACITY);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(slot: number, gen: number): void {
    if (this.tail === this.slots.length) this.makeRoom();
    this.slots[this.tail] = slot;
    this.gens[this.tail] = gen;
    this.tail++;
  }

  /** The oldest entry's slot, or -1 when empty. */
  peek(): number {
    return this.head < this.tail ? (this.slots[this.head] as number) : -1;
  }

  /** The oldest entry's generation. */
  peekGen(): number {
    return this.gens[this.head] ?? 0;
  }

  shift(): void {
    this.head++;
    if (this.head >= this.tail) this.clear();
  }

  /** Keeps only the entries `keep` accepts, in order, in a buffer sized for them. */
  retain(keep: (slot: number, gen: number) => boolean, remap?: (slot: number) => number): void {
    const slots = new Int32Array(Math.max(MIN_CAPACITY, this.length + (this.length >> 1)));
    const gens = new Int32Array(slots.length);
    let n = 0;
    for (let i = this.head; i < this.tail; i++) {
      const slot = this.slots[i] as number;
      const gen = this.gens[i] as number;
      if (!keep(slot, gen)) continue;
      slots[n] = remap === undefined ? slot : remap(slot);
      gens[n] = gen;
      n++;
    }
    this.slots = slots;
    this.gens = gens;
    this.head = 0;
    this.tail = n;
  }

  clear(): void {
    if (this.slots.length > MIN_CAPACITY) {
      this.slots = new Int32Array(MIN_CAPACITY);
      this.gens = new Int32Array(MIN_CAPACITY);
    }
    this.head = 0;
    this.tail = 0;
  }

  private makeRoom(): void {
    const n = this.length;
    if (this.head >= this.slots.length >> 1) {
      this.slots.copyWithin(0, this.head, this.tail);
      this.gens.copyWithin(0, this.head, this.tail);
    } else {
      const slots = new Int32Array(this.slots.length * 2);
      const gens = new Int32Array(slots.length);
      slots.set(this.slots.subarray(this.head, this.tail));
      gens.set(this.gens.subarray(this.head, this.tail));
      this.slots = slots;
      this.gens = gens;
    }
    this.head = 0;
    this.tail = n;
  }
}
