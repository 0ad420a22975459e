import { rangeToCidrs, type Family, type Network } from "./addr";

/** A trusted network as planned: canonical, one entry per network, the latest expiry (null: never). */
export interface PlannedTrusted {
  network: Network;
  expiresAt: number | null;
}

/** A CIDR block of the disjoint cover, with the expiry the kernel must give it. */
export interface TrustedBlock {
  cidr: string;
  expiresAt: number | null;
}

const BITS: Record<Family, bigint> = { 4: 32n, 6: 128n };

function lastAddress(n: Network): bigint {
  return n.network + (1n << (BITS[n.family] - BigInt(n.prefix))) - 1n;
}

/** null (never) is later than any time. */
function later(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

/**
 * The union of one family's trusted networks as non-overlapping CIDR blocks,
 * each with the latest expiry of the networks covering it. An nftables
 * interval set refuses overlapping elements, and its auto-merge keeps one
 * timeout for the merged interval (a permanent /24 merged into an expiring
 * neighbour would leave with it), so the cover is computed here: when a
 * block's timeout fires, no network that trusts its addresses is still due.
 * Adjacent pieces with the same expiry are joined first.
 */
export function disjointTrusted(family: Family, entries: PlannedTrusted[]): TrustedBlock[] {
  const own = entries.filter((e) => e.network.family === family);
  const cuts = [...new Set(own.flatMap((e) => [e.network.network, lastAddress(e.network) + 1n]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pieces: { start: bigint; end: bigint; expiresAt: number | null }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]! - 1n;
    let expiresAt: number | null | undefined;
    for (const e of own) {
      if (e.network.network <= start && lastAddress(e.network) >= end) expiresAt = expiresAt === undefined ? e.expiresAt : later(expiresAt, e.expiresAt);
    }
    if (expiresAt === undefined) continue;
    const prev = pieces.at(-1);
    if (prev && prev.end + 1n === start && prev.expiresAt === expiresAt) prev.end = end;
    else pieces.push({ start, end, expiresAt });
  }
  return pieces.flatMap((p) => rangeToCidrs(family, p.start, p.end).map((cidr) => ({ cidr, expiresAt: p.expiresAt })));
}
