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
 * 128-bit collision), and a queue in arrival order says when each leaves.
 * Arrival order is expiry order up to the spread of client clocks, so the
 * once-a-second prune pops the queue's expired head instead of walking the
 * whole cache; a digest may outlive its window by that spread, which only
 * means a packet too old anyway is called a replay first, as fwknopd does.
 */
export class ReplayCache {
  private readonly seen = new Set<string>();
  private queue: string[] = [];
  private expiries: number[] = [];
  private head = 0;

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
    const start = this.head;
    while (this.head < this.queue.length && this.expiries[this.head]! <= now) this.seen.delete(this.queue[this.head++]!);
    if (this.head === start) return;
    // Keep the queue's dead head from outgrowing its live part.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.expiries = this.expiries.slice(this.head);
      this.head = 0;
    }
    if (this.o.persist !== false) this.o.writer.op({ describe: "prune the SPA replay cache", run: (db) => db.$client.prepare("DELETE FROM replay_cache WHERE expires_at <= ?").run(now) });
  }

  get size(): number {
    return this.seen.size;
  }

  private remember(key: string, expiresAt: number): boolean {
    const k = compact(key);
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    this.queue.push(k);
    this.expiries.push(expiresAt);
    return true;
  }
}

/** `spa:<base64 SHA-256>` → its first 16 bytes as a one-byte string (a flat copy, not a slice of the key); any other key as it is. */
function compact(key: string): string {
  const bytes = key.startsWith("spa:") ? Buffer.from(key.slice(4, 26), "base64") : null;
  return bytes && bytes.length >= 16 ? bytes.toString("latin1", 0, 16) : key;
}
