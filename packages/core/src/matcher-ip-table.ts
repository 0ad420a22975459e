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
 * The table key of a source address. Dotted-quad IPv4 becomes an int32;
 * other text (IPv6) stays a string.
 */
export function ipKey(ip: string): IpKey {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
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

export class IpTable<V> {
  private mask: number;
  private hashes: Int32Array;
  private keys: (IpKey | undefined)[];
  private values: (V | undefined)[];
  size = 0;

  constructor(expected = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.hashes = new Int32Array(capacity);
    this.keys = new Array<IpKey | undefined>(capacity).fill(undefined);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
  }

  get(key: IpKey, hash: number): V | undefined {
    const i = this.find(key, hash);
    return i >= 0 ? this.values[i] : undefined;
  }

  /** Sets the value (never undefined) of a key. */
  set(key: IpKey, hash: number, value: V): void {
    let i = this.find(key, hash);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    i = ~i;
    this.hashes[i] = hash;
    this.keys[i] = key;
    this.values[i] = value;
    if (++this.size * 2 > this.mask + 1) this.grow();
  }

  delete(key: IpKey, hash: number): void {
    let hole = this.find(key, hash);
    if (hole < 0) return;
    const { mask, hashes, keys, values } = this;
    // Backward shift: pull later entries of the run into the hole when the hole lies on their probe path.
    for (let j = (hole + 1) & mask; values[j] !== undefined; j = (j + 1) & mask) {
      const home = (hashes[j] ?? 0) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        hashes[hole] = hashes[j] ?? 0;
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = undefined;
    values[hole] = undefined;
    this.size--;
  }

  /** Slot of the key, or ~(free slot where it would go). */
  private find(key: IpKey, hash: number): number {
    const { mask, hashes, keys, values } = this;
    let i = hash & mask;
    while (values[i] !== undefined) {
      if (hashes[i] === hash && keys[i] === key) return i;
      i = (i + 1) & mask;
    }
    return ~i;
  }

  private grow(): void {
    const { hashes, keys, values } = this;
    const capacity = (this.mask + 1) * 2;
    this.mask = capacity - 1;
    this.hashes = new Int32Array(capacity);
    this.keys = new Array<IpKey | undefined>(capacity).fill(undefined);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.size = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const k = keys[i];
      if (v !== undefined && k !== undefined) this.set(k, hashes[i] ?? 0, v);
    }
  }
}
