import { replayCache, type SesameDb } from "@sesame/db";
import type { WriteBehind } from "./write-behind";

/**
 * The SPA replay cache: digests of packets that authenticated, each kept
 * until no clock could accept its timestamp any more (the age window), in
 * memory for the packet path and in `replay_cache` (written behind) so a
 * restart remembers them. Only authenticated packets enter, so junk cannot
 * grow it.
 *
 * In memory a digest is its first 128 bits as a 16-character string in a
 * Set (a third of the full key's bytes; a false "replayed" would need a
 * 128-bit collision), and a min-heap on expiry says which leaves next, so
 * the once-a-second prune pops what expired instead of walking the whole
 * cache, whatever order the clients' clocks put the expiries in (a packet
 * dated years ahead is remembered until then without holding up the rest).
 */
export class ReplayCache {
  private readonly seen = new Set<string>();
  /** Binary min-heap on `expiries`, `keys` alongside. */
  private readonly keys: string[] = [];
  private readonly expiries: number[] = [];

  /** `persist: false` (fwknopd's ENABLE_DIGEST_PERSISTENCE N): memory only, forgotten at a restart. */
  constructor(private readonly o: { writer: WriteBehind; now: () => number; persist?: boolean }) {}

  /** Start-up: what earlier runs remembered and is still inside its window, oldest expiry first. */
  load(db: SesameDb): number {
    if (this.o.persist === false) return 0;
    const rows = db.$client.prepare(`SELECT key, expires_at FROM replay_cache WHERE expires_at > ? ORDER BY expires_at`).raw();
    for (const [key, expiresAt] of rows.iterate(this.o.now()) as IterableIterator<[string, number]>) this.remember(key, expiresAt);
    return this.seen.size;
  }

  has(key: string): boolean {
    return this.seen.has(compact(key));
  }

  /** Remembers `key` until `expiresAt` (ms); nothing to keep when that is already past. */
  add(key: string, expiresAt: number): void {
    const now = this.o.now();
    if (expiresAt <= now || !this.remember(key, expiresAt)) return;
    if (this.o.persist === false) return;
    this.o.writer.op({
      describe: "remember an SPA digest",
      run: (db) => db.insert(replayCache).values({ key, seenAt: now, expiresAt }).onConflictDoUpdate({ target: replayCache.key, set: { expiresAt } }).run(),
    });
  }

  /** Drops what left its window, here and in the table. */
  prune(now: number): void {
    let dropped = 0;
    while (this.expiries.length > 0 && this.expiries[0]! <= now) {
      this.seen.delete(this.popEarliest());
      dropped++;
    }
    if (dropped > 0 && this.o.persist !== false) this.o.writer.op({ describe: "prune the SPA replay cache", run: (db) => db.$client.prepare("DELETE FROM replay_cache WHERE expires_at <= ?").run(now) });
  }

  get size(): number {
    return this.seen.size;
  }

  private remember(key: string, expiresAt: number): boolean {
    const k = compact(key);
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    // Sift up: the new entry climbs while it expires before its parent.
    let i = this.keys.length;
    this.keys.push(k);
    this.expiries.push(expiresAt);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.expiries[parent]! <= expiresAt) break;
      this.move(parent, i);
      i = parent;
    }
    this.keys[i] = k;
    this.expiries[i] = expiresAt;
    return true;
  }

  /** Removes and returns the key that expires first. */
  private popEarliest(): string {
    const top = this.keys[0]!;
    const lastKey = this.keys.pop()!;
    const lastExp = this.expiries.pop()!;
    const n = this.keys.length;
    if (n === 0) return top;
    // Sift down: the last entry sinks from the root below every child that expires earlier.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const child = left + 1 < n && this.expiries[left + 1]! < this.expiries[left]! ? left + 1 : left;
      if (this.expiries[child]! >= lastExp) break;
      this.move(child, i);
      i = child;
    }
    this.keys[i] = lastKey;
    this.expiries[i] = lastExp;
    return top;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.expiries[to] = this.expiries[from]!;
  }
}

/** `spa:<base64 SHA-256>` → its first 16 bytes as a one-byte string (a flat copy, not a slice of the key); any other key as it is. */
function compact(key: string): string {
  const bytes = key.startsWith("spa:") ? Buffer.from(key.slice(4, 26), "base64") : null;
  return bytes && bytes.length >= 16 ? bytes.toString("latin1", 0, 16) : key;
}
