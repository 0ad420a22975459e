import { replayCache, type SesameDb } from "@sesame/db";
import type { WriteBehind } from "./write-behind";

/**
 * The SPA replay cache: digests of packets that authenticated, each kept
 * until no clock could accept its timestamp any more (the age window), in
 * memory for the packet path and in `replay_cache` (written behind) so a
 * restart remembers them. Only authenticated packets enter, so junk cannot
 * grow it; it is pruned every second.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  /** `persist: false` (fwknopd's ENABLE_DIGEST_PERSISTENCE N): memory only, forgotten at a restart. */
  constructor(private readonly o: { writer: WriteBehind; now: () => number; persist?: boolean }) {}

  /** Start-up: what earlier runs remembered and is still inside its window. */
  load(db: SesameDb): number {
    if (this.o.persist === false) return 0;
    const now = this.o.now();
    for (const r of db.select().from(replayCache).all()) if (r.expiresAt > now) this.seen.set(r.key, r.expiresAt);
    return this.seen.size;
  }

  has(key: string): boolean {
    const exp = this.seen.get(key);
    return exp !== undefined && exp > this.o.now();
  }

  /** Remembers `key` until `expiresAt` (ms); nothing to keep when that is already past. */
  add(key: string, expiresAt: number): void {
    const now = this.o.now();
    if (expiresAt <= now || this.seen.has(key)) return;
    this.seen.set(key, expiresAt);
    if (this.o.persist === false) return;
    this.o.writer.op({
      describe: "remember an SPA digest",
      run: (db) => db.insert(replayCache).values({ key, seenAt: now, expiresAt }).onConflictDoUpdate({ target: replayCache.key, set: { expiresAt } }).run(),
    });
  }

  /** Drops what left its window, here and in the table. */
  prune(now: number): void {
    let dropped = 0;
    for (const [k, exp] of this.seen) {
      if (exp > now) continue;
      this.seen.delete(k);
      dropped++;
    }
    if (dropped > 0 && this.o.persist !== false) this.o.writer.op({ describe: "prune the SPA replay cache", run: (db) => db.$client.prepare("DELETE FROM replay_cache WHERE expires_at <= ?").run(now) });
  }

  get size(): number {
    return this.seen.size;
  }
}
