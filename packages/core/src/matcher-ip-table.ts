/**
 * Source address → value hash table for the matcher's per-IP index.
 *
 * Why not a Map: V8's Map keeps deleted entries in their bucket chain until
 * the next rehash, and a big Map rehashes rarely. One source that keeps
 * starting and losing an attempt (a knock, then a wrong port, again and
 * again) piles holes into one chain, and every miss on that bucket walks
 * them: measured ~50 µs per packet with 200k pending attempts. This is
 * open addressing with linear probing and backward-shift deletion: no
 * tombstones, so probe runs depend only on the load (kept <= 1/2), never on
 * history. Hashes are seeded so spoofed sources cannot be chosen to collide.
 */

/** A dotted-quad IPv4 as its 32-bit value (compared inline by V8), anything else as its text. */
export type IpKey = number | string;

/**
 * The table key of a source address. Canonical dotted-quad IPv4 (no leading
 * zeros, so the text can be rebuilt from the number) becomes an int32; other
 * text (IPv6) stays a string.
 */
export function ipKey(ip: string): IpKey {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return ip; // a leading zero: not the canonical text
      part = part * 10 + (c - 48);
      if (++digits > 3) return ip;
    } else if (c === 46 && digits > 0 && part <= 255 && ++dots <= 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return ip;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return ip;
  return (value * 256 + part) | 0;
}

/** murmur3's finaliser: spreads every input bit over the result. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Seeded 32-bit hash of a key. */
export function hashIpKey(key: IpKey, seed: number): number {
  if (typeof key === "number") return mix(key ^ seed);
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h);
}

const MIN_CAPACITY = 1024;

/**
 * Open-addressing table of values that carry their own key. Slots hold the
 * hash (a dense Int32Array: a probe for an unknown source touches one cache
 * line) and the value; the key is compared on the value itself, which a hit
 * reads anyway, so a lookup costs two random memory reads before the value
 * (measured: a parallel key array was a third miss per packet at 1M pending).
 * Load stays between 1/8 and 1/2: the table grows under a flood and shrinks
 * back as it drains, so its memory is given back.
 */
export class IpTable<V extends { readonly key: IpKey }> {
  private mask: number;
  private hashes: Int32Array;
  private values: (V | undefined)[];
  size = 0;

  constructor(expected = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.hashes = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
  }

  /** Number of slots (for tests and memory accounting). */
  get capacity(): number {
    return this.mask + 1;
  }

  get(key: IpKey, hash: number): V | undefined {
    const i = this.find(key, hash);
    return i >= 0 ? this.values[i] : undefined;
  }

  /** Sets the entry of `value.key` (replacing the one there). */
  set(hash: number, value: V): void {
    let i = this.find(value.key, hash);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    i = ~i;
    this.hashes[i] = hash;
    this.values[i] = value;
    if (++this.size * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
  }

  delete(key: IpKey, hash: number): void {
    let hole = this.find(key, hash);
    if (hole < 0) return;
    const { mask, hashes, values } = this;
    // Backward shift: pull later entries of the run into the hole when the hole lies on their probe path.
    for (let j = (hole + 1) & mask; values[j] !== undefined; j = (j + 1) & mask) {
      const home = (hashes[j] ?? 0) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        hashes[hole] = hashes[j] ?? 0;
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = undefined;
    this.size--;
    if (mask >= MIN_CAPACITY && this.size * 8 < mask + 1) this.resize((mask + 1) / 2);
  }

  /** Slot of the key, or ~(free slot where it would go). */
  private find(key: IpKey, hash: number): number {
    const { mask, hashes, values } = this;
    let i = hash & mask;
    for (let v = values[i]; v !== undefined; v = values[i]) {
      if (hashes[i] === hash && v.key === key) return i;
      i = (i + 1) & mask;
    }
    return ~i;
  }

  private resize(capacity: number): void {
    const { hashes, values } = this;
    this.mask = capacity - 1;
    this.hashes = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.size = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) this.set(hashes[i] ?? 0, v);
    }
  }
}
