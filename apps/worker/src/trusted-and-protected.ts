import { CidrSet, parseNetwork, type Door, type ForwardSpec, type Step, type TrustedSpec } from "@sesame/core";
import type { TrustedEntry } from "./db-read";
import type { FirewallQueue } from "./firewall-queue";
import { formatPorts, protectedPortsOf, unionPorts } from "./ports";
import type { RowWarnings } from "./row-warnings";

/**
 * The firewall's standing lists: trusted networks (never banned; an
 * entry with an expiry leaves when due), protected ports (what the
 * enabled open doors open, and every user's ports: a disabled or expired
 * user's port stays closed rather than opening to everyone, and the public
 * port of every DNAT forward: a port on this host like the others) and
 * gateway mode's enabled forwards. Each is sent to the firewall only when it changed.
 *
 * An expiring trusted network goes to the kernel with its remaining time, so
 * it stops being trusted when due even if this process is dead or stuck
 * (fail closed); expire() also takes it out here. ipset timeouts end at 24.8
 * days, so the expiring entries are sent again every TRUSTED_REFRESH_MS: a
 * clamped timeout is re-extended long before the kernel reaches it.
 */

export const TRUSTED_REFRESH_MS = 86_400_000;

/** "tcp/8080 -> 10.0.0.5:80" (dnat) or "tcp/22 to 10.0.0.6" (routed), for logs. */
export function formatForward(f: ForwardSpec): string {
  const host = f.toAddress.includes(":") ? `[${f.toAddress}]` : f.toAddress;
  return f.dnat ? `${f.protocol}/${f.port} -> ${host}:${f.toPort}` : `${f.protocol}/${f.port} to ${f.toAddress}`;
}

export interface TrustedAndProtectedOptions {
  queue: FirewallQueue;
  warnings: RowWarnings;
  log: { log(msg: string): void; verbose(msg: string): void };
  now: () => number;
  /** Ports SPA users may open: protected like the doors' (default none). */
  userPorts?: () => Step[];
}

export class TrustedAndProtected {
  private entries: TrustedEntry[] = [];
  private set = new CidrSet();
  private valid: TrustedSpec[] = [];
  private trustedKey = "";
  private trustedSentAt = 0;
  private protectedKey = "";
  private userPorts: Step[] = [];
  private forwardList: ForwardSpec[] = [];
  private forwardsKey = "";

  constructor(private readonly o: TrustedAndProtectedOptions) {}

  /** The users' ports (set before init/apply, which send the union). */
  setUserPorts(ports: Step[]): void {
    this.userPorts = ports;
  }

  /** Gateway mode's enabled forwards (set before init/apply, which send them). */
  setForwards(forwards: ForwardSpec[]): void {
    this.forwardList = forwards.map((f) => ({ protocol: f.protocol, port: f.port, toAddress: f.toAddress, toPort: f.toPort, dnat: f.dnat }));
  }

  /** The forwards the firewall holds. */
  forwards(): ForwardSpec[] {
    return this.forwardList;
  }

  /** What the firewall keeps closed, for these doors. */
  protectedPorts(doors: Door[]): Step[] {
    // A routed forward's port is on the inside host, not here: only the forward hook gates it.
    const published = this.forwardList.filter((f) => f.dnat).map((f): Step => ({ port: f.port, protocol: f.protocol }));
    // the database's users (every one, enabled or not) and the SPA verifier's (sesame-fwknopd's access.conf stanzas)
    return unionPorts([protectedPortsOf(doors), this.userPorts, this.o.userPorts?.() ?? [], published]);
  }

  isTrusted(ip: string): boolean {
    return this.set.has(ip);
  }

  /** The valid trusted entries with their expiries, sorted (what the firewall holds). */
  trusted(): TrustedSpec[] {
    return this.valid;
  }

  /** Start-up: take the lists as they are (the full reconcile sends them). */
  init(entries: TrustedEntry[], doors: Door[]): Step[] {
    this.entries = entries;
    this.rebuild();
    this.trustedKey = JSON.stringify(this.valid);
    this.trustedSentAt = this.o.now();
    const ports = this.protectedPorts(doors);
    this.protectedKey = JSON.stringify(ports);
    this.forwardsKey = JSON.stringify(this.forwardList);
    return ports;
  }

  /** New lists (a reload; `entries` undefined: the trusted entries kept): what changed goes to the firewall. */
  apply(entries: TrustedEntry[] | undefined, doors: Door[]): void {
    if (entries) this.entries = entries;
    const base = { ts: this.o.now() };
    this.rebuild();
    const trusted = this.valid;
    const tKey = JSON.stringify(trusted);
    if (tKey !== this.trustedKey) {
      this.trustedKey = tKey;
      this.sendTrusted(trusted, base.ts);
      this.o.log.verbose(`trusted networks: ${trusted.map((t) => t.cidr).join(", ") || "none"}`);
    }
    const forwards = this.forwardList;
    const fKey = JSON.stringify(forwards);
    if (fKey !== this.forwardsKey) {
      this.forwardsKey = fKey;
      void this.o.queue.run(`set forwards (${forwards.length})`, base, (fw) => fw.setForwards(forwards));
      this.o.log.log(`forwards: ${forwards.map(formatForward).join(", ") || "none"}`);
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
    if (live.length !== this.entries.length) this.apply(live, doors);
    else if (now - this.trustedSentAt >= TRUSTED_REFRESH_MS && this.valid.some((t) => t.expiresAt !== null)) this.sendTrusted(this.valid, now);
  }

  private sendTrusted(trusted: TrustedSpec[], now: number): void {
    this.trustedSentAt = now;
    void this.o.queue.run(`set trusted networks (${trusted.length})`, { ts: now }, (fw) => fw.setTrusted(trusted, this.o.now()));
  }

  private rebuild(): void {
    const valid: TrustedSpec[] = [];
    for (const t of this.entries) {
      // parseNetwork: a ::ffff:… row stored before the UI refused them must not reach the kernel.
      const p = parseNetwork(t.cidr);
      if (p.ok) valid.push({ cidr: p.cidr.text, expiresAt: t.expiresAt });
      else this.o.warnings.once(`cidr:${t.cidr}`, `trusted network "${t.cidr}" is refused (${p.reason}); ignored`, true);
    }
    const order = (t: TrustedSpec): string => `${t.cidr}|${t.expiresAt === null ? "never" : String(t.expiresAt).padStart(20, "0")}`;
    valid.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    this.valid = valid;
    this.set = new CidrSet(valid.map((t) => t.cidr));
  }
}
