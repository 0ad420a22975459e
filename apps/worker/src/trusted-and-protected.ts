import { CidrSet, parseNetwork, type Door, type Step } from "@sesame/core";
import type { TrustedEntry } from "./db-read";
import type { FirewallQueue } from "./firewall-queue";
import { formatPorts, protectedPortsOf, unionPorts } from "./ports";
import type { RowWarnings } from "./row-warnings";

/**
 * The firewall's two standing lists: trusted networks (never banned; an
 * entry with an expiry leaves when due) and protected ports (what the
 * enabled open doors open, and every user's ports: a disabled or expired
 * user's port stays closed rather than opening to everyone). Each is sent to the firewall only when it changed.
 */

export interface TrustedAndProtectedOptions {
  queue: FirewallQueue;
  warnings: RowWarnings;
  log: { log(msg: string): void; verbose(msg: string): void };
  now: () => number;
}

export class TrustedAndProtected {
  private entries: TrustedEntry[] = [];
  private set = new CidrSet();
  private trustedKey = "";
  private protectedKey = "";
  private userPorts: Step[] = [];

  constructor(private readonly o: TrustedAndProtectedOptions) {}

  /** The users' ports (set before init/apply, which send the union). */
  setUserPorts(ports: Step[]): void {
    this.userPorts = ports;
  }

  /** What the firewall keeps closed, for these doors. */
  protectedPorts(doors: Door[]): Step[] {
    return unionPorts([protectedPortsOf(doors), this.userPorts]);
  }

  isTrusted(ip: string): boolean {
    return this.set.has(ip);
  }

  trustedCidrs(): string[] {
    return this.set.cidrs.map((c) => c.text);
  }

  /** Start-up: take the lists as they are (the full reconcile sends them). */
  init(entries: TrustedEntry[], doors: Door[]): Step[] {
    this.entries = entries;
    this.rebuild();
    this.trustedKey = JSON.stringify(this.trustedCidrs().sort());
    const ports = this.protectedPorts(doors);
    this.protectedKey = JSON.stringify(ports);
    return ports;
  }

  /** New lists (a reload; `entries` undefined: the trusted entries kept): what changed goes to the firewall. */
  apply(entries: TrustedEntry[] | undefined, doors: Door[]): void {
    if (entries) this.entries = entries;
    const base = { ts: this.o.now() };
    this.rebuild();
    const cidrs = this.trustedCidrs().sort();
    const tKey = JSON.stringify(cidrs);
    if (tKey !== this.trustedKey) {
      this.trustedKey = tKey;
      void this.o.queue.run(`set trusted networks (${cidrs.length})`, base, (fw) => fw.setTrusted(cidrs));
      this.o.log.verbose(`trusted networks: ${cidrs.join(", ") || "none"}`);
    }
    const ports = this.protectedPorts(doors);
    const pKey = JSON.stringify(ports);
    if (pKey !== this.protectedKey) {
      this.protectedKey = pKey;
      void this.o.queue.run(`set protected ports (${formatPorts(ports) || "none"})`, base, (fw) => fw.setProtected(ports));
      this.o.log.log(`protected ports: ${formatPorts(ports) || "none"}`);
    }
  }

  /** Trusted entries with an expiry leave the kernel when due (called every second). */
  expire(now: number, doors: Door[]): void {
    const live = this.entries.filter((t) => t.expiresAt === null || t.expiresAt > now);
    if (live.length === this.entries.length) return;
    this.apply(live, doors);
  }

  private rebuild(): void {
    const valid: string[] = [];
    for (const t of this.entries) {
      // parseNetwork: a ::ffff:… row stored before the UI refused them must not reach the kernel.
      const p = parseNetwork(t.cidr);
      if (p.ok) valid.push(p.cidr.text);
      else this.o.warnings.once(`cidr:${t.cidr}`, `trusted network "${t.cidr}" is refused (${p.reason}); ignored`, true);
    }
    this.set = new CidrSet(valid);
  }
}
