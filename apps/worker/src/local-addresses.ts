import { listLocalAddresses } from "./net-info";

/** This machine's addresses: a knock counts only when sent to one of them (and the capture filter names them). */
export class LocalAddresses {
  private list: string[] = [];
  private set = new Set<string>();

  constructor(private readonly ipv4Only: boolean) {}

  has(ip: string): boolean {
    return this.set.has(ip);
  }

  all(): string[] {
    return this.list;
  }

  /** Re-reads them; true when they changed. */
  refresh(): boolean {
    const next = listLocalAddresses(this.ipv4Only);
    if (next.join() === this.list.join()) return false;
    this.list = next;
    this.set = new Set(next);
    return true;
  }
}
