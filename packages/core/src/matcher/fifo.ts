/**
 * A first-in first-out queue over a plain array and a head index. shift()
 * only moves the head; the array is cut once the head passes its middle, so
 * a queue that drains gives its memory back and each entry is copied at
 * most once per pass. Each entry carries a number (a tag) beside it, so a
 * caller that reuses objects can tell a stale entry from a live one.
 */
export class Fifo<T> {
  private items: T[] = [];
  private tags: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T, tag = 0): void {
    this.items.push(item);
    this.tags.push(tag);
  }

  /** The oldest entry, or undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** The oldest entry's tag. */
  peekTag(): number {
    return this.tags[this.head] ?? 0;
  }

  shift(): void {
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.items.length) this.retain(() => true);
  }

  /** Keeps only the entries `keep` accepts, in order (drops stale ones from the middle). */
  retain(keep: (item: T, tag: number) => boolean): void {
    const items: T[] = [];
    const tags: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      const tag = this.tags[i] ?? 0;
      if (keep(item, tag)) {
        items.push(item);
        tags.push(tag);
      }
    }
    this.items = items;
    this.tags = tags;
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.tags = [];
    this.head = 0;
  }
}
