import type { Step } from "@sesame/core";

/**
 * The ledger: the worker's live view of open grants and active bans. The database is
 * written behind (it may be locked for seconds), so decisions — "is this IP
 * banned?", "which ports does this close sequence revoke?" — come from here,
 * never from a read that could miss a queued write. One grant per (IP, door):
 * a repeated open refreshes it instead of stacking.
 */

export interface GrantEntry {
  ip: string;
  family: 4 | 6;
  doorName: string;
  doorId: number | null;
  ports: Step[];
  expiresAt: number;
  /** Who opened it (SPA, a rotating sequence): grants of two users from one address are two entries. */
  userId?: number | null;
  userName?: string | null;
}

/** One entry per (IP, door, user). */
const grantKey = (doorName: string, userName?: string | null) => (userName ? `${doorName}\u0000${userName}` : doorName);

export class GrantLedger {
  private readonly byIp = new Map<string, Map<string, GrantEntry>>();

  /** Inserts or refreshes; returns the previous entry for the same IP and door, if any. */
  upsert(e: GrantEntry): GrantEntry | undefined {
    let doors = this.byIp.get(e.ip);
    if (!doors) this.byIp.set(e.ip, (doors = new Map()));
    const key = grantKey(e.doorName, e.userName);
    const prev = doors.get(key);
    doors.set(key, e);
    return prev;
  }

  get(ip: string, doorName: string, userName?: string | null): GrantEntry | undefined {
    return this.byIp.get(ip)?.get(grantKey(doorName, userName));
  }

  /** Removes and returns the IP's grants (only `doorName`'s when given). */
  take(ip: string, doorName?: string): GrantEntry[] {
    const doors = this.byIp.get(ip);
    if (!doors) return [];
    let out: GrantEntry[];
    if (doorName === undefined) {
      out = [...doors.values()];
      doors.clear();
    } else {
      out = [];
      for (const [key, e] of doors) {
        if (e.doorName !== doorName) continue;
        out.push(e);
        doors.delete(key);
      }
    }
    if (doors.size === 0) this.byIp.delete(ip);
    return out;
  }

  /** The IP's remaining grants (after a take), to re-apply ports another door still grants. */
  of(ip: string): GrantEntry[] {
    return [...(this.byIp.get(ip)?.values() ?? [])];
  }

  /** Removes and returns every grant expired at `now`. */
  expire(now: number): GrantEntry[] {
    const out: GrantEntry[] = [];
    for (const [ip, doors] of this.byIp) {
      for (const [name, e] of doors) {
        if (e.expiresAt <= now) {
          out.push(e);
          doors.delete(name);
        }
      }
      if (doors.size === 0) this.byIp.delete(ip);
    }
    return out;
  }

  all(): GrantEntry[] {
    const out: GrantEntry[] = [];
    for (const doors of this.byIp.values()) out.push(...doors.values());
    return out;
  }

  get size(): number {
    let n = 0;
    for (const doors of this.byIp.values()) n += doors.size;
    return n;
  }
}

export interface BanEntry {
  ip: string;
  family: 4 | 6;
  doorName: string;
  expiresAt: number;
}

export class BanLedger {
  private readonly byIp = new Map<string, BanEntry>();

  /** Sets or lengthens a ban (a shorter new ban never shortens an existing one). */
  set(e: BanEntry): BanEntry {
    const prev = this.byIp.get(e.ip);
    const next = prev && prev.expiresAt > e.expiresAt ? prev : e;
    this.byIp.set(e.ip, next);
    return next;
  }

  /** Replaces the expiry (the UI may shorten or extend a ban). */
  replace(e: BanEntry): void {
    this.byIp.set(e.ip, e);
  }

  isBanned(ip: string, now: number): boolean {
    const e = this.byIp.get(ip);
    return e !== undefined && e.expiresAt > now;
  }

  delete(ip: string): BanEntry | undefined {
    const e = this.byIp.get(ip);
    this.byIp.delete(ip);
    return e;
  }

  expire(now: number): BanEntry[] {
    const out: BanEntry[] = [];
    for (const [ip, e] of this.byIp) {
      if (e.expiresAt <= now) {
        out.push(e);
        this.byIp.delete(ip);
      }
    }
    return out;
  }

  all(): BanEntry[] {
    return [...this.byIp.values()];
  }

  get size(): number {
    return this.byIp.size;
  }
}

/** Drops ledger entries whose time is up (the kernel closed them already), each said in a verbose line. */
export function expireLedger(grants: GrantLedger, bans: BanLedger, now: number, log: { verbose(msg: string): void }): void {
  for (const g of grants.expire(now)) log.verbose(`${g.ip}: ${g.doorName}: access expired`);
  for (const b of bans.expire(now)) log.verbose(`${b.ip}: ${b.doorName}: ban expired`);
}
