import type { FirewallState, ForwardSpec, Step, TrustedSpec } from "@sesame/core";

/**
 * One interface for every way Sesame can enforce grants and bans. Backends run
 * their programs (nft, iptables, ipset, …) with argument vectors, never
 * through a shell. Every mutating call is idempotent: a repeated grant
 * refreshes its timeout and never stacks rules.
 */
export interface FirewallBackend {
  readonly name: "nftables" | "iptables" | "command";
  /**
   * Create (or adopt) the backend's own table/chains/sets, then make the
   * kernel match `state` exactly: protected ports, trusted networks, grants and
   * bans with their remaining time (expired entries are skipped). The
   * protected ports' drop is installed first and never depends on a grant,
   * ban or trusted entry: an entry that is malformed or that the kernel
   * refuses is left out and listed in the report, never allowed to fail the
   * rest. Rejects only when the structure itself could not be installed.
   */
  reconcile(state: FirewallState, now: number): Promise<ReconcileReport>;
  /** Accept `ports` from `ip` for `ttlSec` (kernel-side timeout where the backend has one). */
  grant(ip: string, ports: Step[], ttlSec: number): Promise<void>;
  /** Withdraw `ip`'s grant on `ports` (all of its grants when omitted). */
  revoke(ip: string, ports?: Step[]): Promise<void>;
  /** Drop `ip` on protected ports for `ttlSec`. */
  ban(ip: string, ttlSec: number): Promise<void>;
  unban(ip: string): Promise<void>;
  /**
   * Replace the trusted networks. An entry with an expiry is given its
   * remaining time at `now` as a kernel timeout where the backend has one,
   * so it stops being trusted when due even if the worker is dead.
   */
  setTrusted(entries: TrustedSpec[], now: number): Promise<void>;
  setProtected(ports: Step[]): Promise<void>;
  /**
   * Replace gateway mode's forwarded services (reconcile takes them from
   * `state.forwards`). Only nftables has it; the others reject any forward
   * with one sentence saying so (and accept an empty list).
   */
  setForwards(forwards: ForwardSpec[]): Promise<void>;
  /** What the kernel holds now (for reconcile checks, tests and the UI). */
  inspect(): Promise<KernelSnapshot>;
  /** The worker is exiting: leave kernel timeouts to close what is open. */
  detach(): Promise<void>;
  /** Remove everything the backend created (uninstall, test teardown). */
  destroy(): Promise<void>;
}

/** What a reconcile left out, one line per entry naming it and why. */
export interface ReconcileReport {
  refused: string[];
}

export interface KernelSnapshot {
  protectedPorts: Step[];
  /** Blocks as the kernel holds them (nftables: a disjoint cover of the networks). */
  trusted: { cidr: string; expiresInMs: number | null }[];
  grants: { ip: string; port: number; protocol: "tcp" | "udp"; expiresInMs: number | null }[];
  bans: { ip: string; expiresInMs: number | null }[];
  /** Gateway mode's forwards as the kernel holds them (toAddress canonical). */
  forwards: ForwardSpec[];
}

/** A failed firewall program run; carries the argv and stderr so the worker can log and record it. */
export class FirewallError extends Error {
  constructor(
    message: string,
    readonly argv: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "FirewallError";
  }
}
