/**
 * A first-in first-out queue over a plain array and a head index. shift()
 * only moves the head; the array is cut once the head passes its middle, so
 * a queue that drains gives its memory back and each entry is copied at
 * most once per pass.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest entry, or undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) this.retain(() => true);
  }

  /** Keeps only the entries `keep` accepts, in order (drops stale ones from the middle). */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (keep(item)) kept.push(item);
    }
    this.items = kept;
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** Entries from the oldest on. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
