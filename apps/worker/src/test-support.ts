import type { FirewallState, ForwardSpec, Step, TrustedSpec } from "@sesame/core";
import type { FirewallBackend, KernelSnapshot, ReconcileReport } from "@sesame/firewall";

/**
 * Unit-test helpers (not used by the worker). RecordingFirewall writes down
 * the calls the engine makes, so decision logic can be checked without
 * root; the real backends are exercised in tests/net against the kernel.
 */

export type FirewallCall =
  | { op: "grant"; ip: string; ports: Step[]; ttlSec: number }
  | { op: "revoke"; ip: string; ports?: Step[] }
  | { op: "ban"; ip: string; ttlSec: number }
  | { op: "unban"; ip: string }
  | { op: "setTrusted"; entries: TrustedSpec[] }
  | { op: "setProtected"; ports: Step[] }
  | { op: "setForwards"; forwards: ForwardSpec[] }
  | { op: "reconcile"; state: FirewallState };

export class RecordingFirewall implements FirewallBackend {
  readonly name = "nftables" as const;
  readonly calls: FirewallCall[] = [];
  /** Calls of these ops throw (to exercise error handling); decremented per failure. */
  failures: Partial<Record<FirewallCall["op"], number>> = {};

  private async record(c: FirewallCall): Promise<void> {
    this.calls.push(c);
    const left = this.failures[c.op] ?? 0;
    if (left > 0) {
      this.failures[c.op] = left - 1;
      throw new Error(`${c.op} refused (test)`);
    }
  }

  async reconcile(state: FirewallState): Promise<ReconcileReport> {
    await this.record({ op: "reconcile", state });
    return { refused: [] };
  }
  grant(ip: string, ports: Step[], ttlSec: number): Promise<void> {
    return this.record({ op: "grant", ip, ports, ttlSec });
  }
  revoke(ip: string, ports?: Step[]): Promise<void> {
    return this.record(ports ? { op: "revoke", ip, ports } : { op: "revoke", ip });
  }
  ban(ip: string, ttlSec: number): Promise<void> {
    return this.record({ op: "ban", ip, ttlSec });
  }
  unban(ip: string): Promise<void> {
    return this.record({ op: "unban", ip });
  }
  setTrusted(entries: TrustedSpec[]): Promise<void> {
    return this.record({ op: "setTrusted", entries });
  }
  setProtected(ports: Step[]): Promise<void> {
    return this.record({ op: "setProtected", ports });
  }
  setForwards(forwards: ForwardSpec[]): Promise<void> {
    return this.record({ op: "setForwards", forwards });
  }
  inspect(): Promise<KernelSnapshot> {
    return Promise.resolve({ protectedPorts: [], trusted: [], grants: [], bans: [], forwards: [] });
  }
  detach(): Promise<void> {
    return Promise.resolve();
  }
  destroy(): Promise<void> {
    return Promise.resolve();
  }
}

/** A logger that keeps lines per level. */
export function memoryLog() {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(level === "log" ? m : `${level}: ${m}`);
  return { lines, log: push("log"), error: push("error"), warn: push("warn"), verbose: push("verbose"), debug: push("debug") };
}
