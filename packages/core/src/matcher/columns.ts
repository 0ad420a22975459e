/**
 * The attempt store's columns (one typed array per field, indexed by slot;
 * attempts.ts says why) and how a source becomes a Map key.
 */

/** A canonical dotted-quad IPv4 as its 32-bit value, anything else (IPv6, leading zeros: the text must round-trip) as the text. */
export function parseIp(ip: string): number | string {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return ip; // a leading zero
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

export function dotted(ip: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/**
 * The Map key of a source: V8 hashes numbers without a seed, so spoofed
 * sources could be chosen to share a bucket; murmur3's finaliser over the
 * address xor a per-process seed spreads them unpredictably. Halved to fit a
 * small integer (kept unboxed), so two addresses share a key: a key's chain
 * holds both and lookups compare the source. Strings are hashed by V8 with
 * its own per-process seed.
 */
export function keyOf(ip: number | string, seed: number): number | string {
  if (typeof ip === "string") return ip;
  let h = ip ^ seed;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >> 1;
}

/** The attempts' fields, one typed array each, indexed by slot. */
export class Columns {
  readonly src: Int32Array;
  readonly door: Int32Array;
  readonly start: Float64Array;
  readonly lastStep: Float64Array;
  readonly stage: Uint8Array;
  readonly flags: Uint8Array;
  /** The next slot under the same Map key; the next free slot when free. */
  readonly link: Int32Array;
  readonly gen: Int32Array;
  /**
   * Sources that are not canonical IPv4 ("" elsewhere). A plain array, not
   * a Map: one IPv6 source starting and losing attempts over and over would
   * pile deleted entries into one Map bucket (attempts.ts, SPARE_SOURCES).
   */
  readonly text: string[];

  constructor(readonly size: number) {
    this.src = new Int32Array(size);
    this.door = new Int32Array(size);
    this.start = new Float64Array(size);
    this.lastStep = new Float64Array(size);
    this.stage = new Uint8Array(size);
    this.flags = new Uint8Array(size);
    this.link = new Int32Array(size);
    this.gen = new Int32Array(size);
    this.text = new Array<string>(size).fill("");
  }

  /** Slot `from` of `o` into slot `to` of this. */
  copySlot(o: Columns, from: number, to: number): void {
    this.src[to] = o.src[from] as number;
    this.door[to] = o.door[from] as number;
    this.start[to] = o.start[from] as number;
    this.lastStep[to] = o.lastStep[from] as number;
    this.stage[to] = o.stage[from] as number;
    this.flags[to] = o.flags[from] as number;
    this.link[to] = o.link[from] as number;
    this.gen[to] = o.gen[from] as number;
    this.text[to] = o.text[from] as string;
  }
}

