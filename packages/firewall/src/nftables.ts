import type { FirewallState, ForwardSpec, Step, TrustedSpec } from "@sesame/core";
import { requireAddress } from "./addr";
import { createRunner, type ExecOptions, type RunFn } from "./exec";
import {
  NFT_MAX_TTL_SEC,
  NFT_NAME,
  type NftItem,
  buildDeleteScript,
  buildRefreshScript,
  buildReplaceScript,
  buildAddScript,
  buildStructureScript,
  grantElement,
  planElements,
  protectedElement,
  trustedElements,
} from "./nft-script";
import { requireForwards, type PlannedForward } from "./forward-plan";
import { buildForwardsScript } from "./nft-forward";
import { parseNftTable } from "./nft-parse";
import { NftSession } from "./nft-session";
import { planState, planTrusted } from "./plan";
import { createSerialQueue } from "./serial";
import { requireSteps, requireTtlSec } from "./steps";
import type { FirewallBackend, KernelSnapshot, ReconcileReport } from "./types";

export interface NftablesOptions extends ExecOptions {
  /** Table name in family inet (default "sesame"); letters, digits, underscore. */
  table?: string;
  /** The nft program (default "nft", found on PATH). */
  nftPath?: string;
  /**
   * Input hook priority (default -10): after conntrack (-200) so `ct state`
   * works, before a typical `inet filter` table (0). Our accepts are not final
   * for other tables; our drops are, whatever the order.
   */
  priority?: number;
}

/**
 * The default backend: one dedicated `inet` table whose sets carry
 * kernel-side timeouts. Grants and bans close at expiry even when the worker
 * is dead, so detach() leaves everything in place.
 */
export class NftablesBackend implements FirewallBackend {
  readonly name = "nftables" as const;
  readonly table: string;
  private readonly nft: string;
  private readonly priority: number;
  private readonly run: RunFn;
  private readonly serial = createSerialQueue();
  /** Persistent `nft -i` for single-line updates (absent when a custom runner is injected). */
  private readonly session: NftSession | undefined;

  constructor(opts: NftablesOptions = {}) {
    this.table = opts.table ?? "sesame";
    if (!NFT_NAME.test(this.table)) throw new RangeError(`invalid nft table name: ${JSON.stringify(this.table)}`);
    this.priority = opts.priority ?? -10;
    if (!Number.isInteger(this.priority) || this.priority <= -200 || this.priority > 1000) {
      throw new RangeError(`nft priority must be an integer in (-200, 1000] (after conntrack): ${this.priority}`);
    }
    this.nft = opts.nftPath ?? "nft";
    this.run = createRunner(opts);
    if (!opts.exec) {
      const prefix = opts.netns === undefined ? [] : ["ip", "netns", "exec", opts.netns];
      this.session = new NftSession([...prefix, this.nft, "-i"], opts.timeoutMs ?? 5000);
    }
  }

  /** Hot path: single-line commands through the running `nft -i` (no fork/exec per knock). */
  private applyQuick(script: string): Promise<void> {
    if (script === "") return Promise.resolve();
    return this.session ? this.session.apply(script) : this.apply(script);
  }

  private apply(script: string): Promise<void> {
    if (script === "") return Promise.resolve();
    return this.run([this.nft, "-f", "-"], script).then(() => undefined);
  }

  /**
   * The table in two steps. First its structure with the protected ports,
   * replacing the old table in one transaction (nft applies a script all or
   * nothing, so on failure the old table stays). Then bans, trusted networks
   * and grants in one batch; if the kernel refuses it (one bad element voids
   * a transaction), each element is added on its own and the refused ones
   * are reported. If even the structure with the protected ports fails, it is
   * installed bare and the protected ports are added one by one: the drop
   * never waits on any single element. Gateway mode's forwards go in with
   * the structure (a routed service is never ungated between the two); if
   * that is refused, the structure goes in alone and the forwards after it.
   */
  async reconcile(state: FirewallState, now: number): Promise<ReconcileReport> {
    const plan = planState(state, now, NFT_MAX_TTL_SEC * 1000);
    return this.serial(async () => {
      const refused = [...plan.refused];
      const protectedItems: NftItem[] = plan.protectedPorts.map((s) => ({ set: "protected", element: protectedElement(s) }));
      const structure = buildStructureScript(this.table, this.priority, protectedItems.map((i) => i.element));
      const forwards = buildForwardsScript(this.table, this.priority, plan.forwards, { nat: true, fresh: true });
      const attempts = forwards === "" ? [structure] : [structure + forwards, structure];
      let installed = -1;
      for (let i = 0; i < attempts.length && installed < 0; i++) {
        try {
          await this.apply(attempts[i]!);
          installed = i;
        } catch {
          // next attempt: without the forwards, then bare
        }
      }
      if (installed < 0) {
        await this.apply(buildStructureScript(this.table, this.priority, []));
        refused.push(...(await this.addEach(protectedItems)));
      }
      if (forwards !== "" && installed !== 0) refused.push(...(await this.applyForwards(plan.forwards)));
      const items = planElements(plan, now);
      try {
        await this.apply(buildAddScript(this.table, items));
      } catch {
        refused.push(...(await this.addEach(items)));
      }
      return { refused };
    });
  }

  /** Adds each item in its own transaction; returns the refused ones, named with nft's message. */
  private async addEach(items: NftItem[]): Promise<string[]> {
    const refused: string[] = [];
    for (const i of items) {
      try {
        await this.applyQuick(buildAddScript(this.table, [i]));
      } catch (e) {
        refused.push(`${i.set} { ${i.element} }: ${(e as Error).message}`);
      }
    }
    return refused;
  }

  async grant(ip: string, ports: Step[], ttlSec: number): Promise<void> {
    const a = requireAddress(ip);
    const steps = requireSteps(ports);
    const ttlMs = requireTtlSec(ttlSec, NFT_MAX_TTL_SEC) * 1000;
    const elements = steps.map((s) => grantElement(a.text, s));
    return this.serial(() => this.applyQuick(buildRefreshScript(this.table, `grants${a.family}`, elements, ttlMs)));
  }

  async revoke(ip: string, ports?: Step[]): Promise<void> {
    const a = requireAddress(ip);
    const set = `grants${a.family}` as const;
    return this.serial(async () => {
      let steps: Step[];
      if (ports) steps = requireSteps(ports);
      else {
        const listed = parseNftTable(await this.run([this.nft, "-j", "list", "set", "inet", this.table, set]));
        steps = listed.grants.filter((g) => g.ip === a.text).map((g) => ({ port: g.port, protocol: g.protocol }));
      }
      await this.applyQuick(buildDeleteScript(this.table, set, steps.map((s) => grantElement(a.text, s))));
    });
  }

  async ban(ip: string, ttlSec: number): Promise<void> {
    const a = requireAddress(ip);
    const ttlMs = requireTtlSec(ttlSec, NFT_MAX_TTL_SEC) * 1000;
    return this.serial(() => this.applyQuick(buildRefreshScript(this.table, `banned${a.family}`, [a.text], ttlMs)));
  }

  async unban(ip: string): Promise<void> {
    const a = requireAddress(ip);
    return this.serial(() => this.applyQuick(buildDeleteScript(this.table, `banned${a.family}`, [a.text])));
  }

  /** Both trusted sets replaced in one transaction, each expiring network with its remaining time. */
  async setTrusted(entries: TrustedSpec[], now: number): Promise<void> {
    const nets = planTrusted(entries, now, NFT_MAX_TTL_SEC * 1000);
    const script = buildReplaceScript(this.table, "trusted4", trustedElements(4, nets[4], now)) + buildReplaceScript(this.table, "trusted6", trustedElements(6, nets[6], now));
    return this.serial(() => this.apply(script));
  }

  /**
   * Replace gateway mode's forwards (base chains created or removed with
   * them). Rejects when the kernel refuses them; a refused nat part (no
   * nat support) still leaves the forward hook gating, and is the rejection.
   */
  async setForwards(forwards: ForwardSpec[]): Promise<void> {
    const planned = requireForwards(forwards);
    return this.serial(async () => {
      const refused = await this.applyForwards(planned);
      if (refused.length > 0) throw new Error(refused.join("; "));
    });
  }

  /** Forwards with nat, else without (the gate alone: a kernel without nat); returns what was refused. */
  private async applyForwards(forwards: PlannedForward[]): Promise<string[]> {
    try {
      await this.apply(buildForwardsScript(this.table, this.priority, forwards, { nat: true, fresh: false }));
      return [];
    } catch (e) {
      const why = (e as Error).message;
      try {
        await this.apply(buildForwardsScript(this.table, this.priority, forwards, { nat: false, fresh: false }));
        // Routed forwards need no nat: only a DNAT forward lost something.
        return forwards.some((f) => f.dnat) ? [`dnat of the forwards (the forward hook gates them, nothing is rewritten): ${why}`] : [];
      } catch (e2) {
        return [`forwards: ${(e2 as Error).message}`];
      }
    }
  }

  async setProtected(ports: Step[]): Promise<void> {
    const script = buildReplaceScript(this.table, "protected", requireSteps(ports).map(protectedElement));
    return this.serial(() => this.apply(script));
  }

  async inspect(): Promise<KernelSnapshot> {
    return this.serial(async () => parseNftTable(await this.run([this.nft, "-j", "list", "table", "inet", this.table])));
  }

  /** Nothing to do: the kernel's set timeouts close grants and lift bans without us. */
  async detach(): Promise<void> {
    this.session?.close();
  }

  /** Remove the table (succeeds when it is already gone). */
  async destroy(): Promise<void> {
    this.session?.close();
    return this.serial(() => this.apply(`table inet ${this.table}\ndelete table inet ${this.table}\n`));
  }
}
