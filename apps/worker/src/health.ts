/**
 * The worker's last error, shown by the UI through workerStatus.lastError.
 * Conditions that clear themselves (an interface coming back) are keyed so
 * they can be withdrawn; a one-off failure stays until a newer one replaces it.
 */
export class Health {
  private readonly conditions = new Map<string, { msg: string; at: number }>();
  private last: { msg: string; at: number } | null = null;
  errors = 0;

  constructor(private readonly now: () => number) {}

  /** A one-off failure (firewall call, command, database). */
  report(msg: string): void {
    this.errors++;
    this.last = { msg, at: this.now() };
  }

  /** A standing condition under `key` (e.g. "iface:eth0"); clear() withdraws it. */
  set(key: string, msg: string): void {
    const prev = this.conditions.get(key);
    if (prev?.msg === msg) return;
    this.errors++;
    this.conditions.set(key, { msg, at: this.now() });
  }

  clear(key: string): void {
    this.conditions.delete(key);
  }

  /** Standing conditions first (they are still true), else the last one-off failure. */
  current(): { msg: string; at: number } | null {
    let latest: { msg: string; at: number } | null = null;
    for (const c of this.conditions.values()) if (!latest || c.at > latest.at) latest = c;
    return latest ?? this.last;
  }
}
