import type { FirewallState, ForwardSpec, Step, TrustedSpec } from "@sesame/core";
import { requireAddress, type Address, type Family } from "./addr";
import { checkedRunner, createExec, toFirewallError, type ExecFn, type ExecOptions, type RunFn } from "./exec";
import {
  IPSET_MAX_TTL_SEC,
  IPSET_PREFIX,
  IPT_CHAIN,
  buildChainRestore,
  createNames,
  ensureSetLines,
  grantEntry,
  ipsetSeconds,
  parseIpsetSave,
  parseProtectedRules,
  replaceSetLines,
  setType,
  setsWithoutTimeout,
  trustedEntry,
  type IptNames,
  type SetKind,
} from "./ipt-script";
import { gatewayUnsupported } from "./forward-plan";
import { planState, planTrusted } from "./plan";
import { createSerialQueue } from "./serial";
import { requireSteps, requireTtlSec } from "./steps";
import type { FirewallBackend, KernelSnapshot, ReconcileReport } from "./types";

export interface IptablesOptions extends ExecOptions {
  /** iptables program (default "iptables"); `<path>-restore` must exist next to it. */
  iptablesPath?: string;
  /** ip6tables program (default "ip6tables"). */
  ip6tablesPath?: string;
  /** ipset program (default "ipset"). */
  ipsetPath?: string;
  /** Main chain name (default "SESAME"); the gate chain is `<chain>-GATE`. */
  chain?: string;
  /** Prefix of the ipsets (default "sesame": sesame-grants4, sesame-bans6, …). */
  setPrefix?: string;
  /** Also manage ip6tables and the IPv6 sets (default true). */
  ipv6?: boolean;
}

/** Loop bound when removing duplicate INPUT jumps left by someone else. */
const MAX_JUMP_REMOVALS = 20;

/**
 * For hosts without nftables: ipsets with per-entry timeouts (closed by the
 * kernel even when the worker is dead) and two chains per family, jumped to
 * from INPUT. Works with iptables-nft and iptables-legacy alike.
 */
export class IptablesBackend implements FirewallBackend {
  readonly name = "iptables" as const;
  private readonly names: IptNames;
  private readonly families: Family[];
  private readonly tools: Record<Family, string>;
  private readonly ipset: string;
  private readonly exec: ExecFn;
  private readonly run: RunFn;
  private readonly serial = createSerialQueue();

  constructor(opts: IptablesOptions = {}) {
    const chain = opts.chain ?? "SESAME";
    const prefix = opts.setPrefix ?? "sesame";
    if (!IPT_CHAIN.test(chain)) throw new RangeError(`invalid chain name: ${JSON.stringify(chain)}`);
    if (!IPSET_PREFIX.test(prefix)) throw new RangeError(`invalid ipset prefix: ${JSON.stringify(prefix)}`);
    this.names = createNames(chain, prefix);
    this.families = opts.ipv6 === false ? [4] : [4, 6];
    this.tools = { 4: opts.iptablesPath ?? "iptables", 6: opts.ip6tablesPath ?? "ip6tables" };
    this.ipset = opts.ipsetPath ?? "ipset";
    this.exec = createExec(opts);
    this.run = checkedRunner(this.exec, opts.netns);
  }

  private address(ip: string): Address {
    const a = requireAddress(ip);
    if (!this.families.includes(a.family)) throw new RangeError(`IPv6 is disabled for this backend: ${ip}`);
    return a;
  }

  private async ipsetRestore(lines: string[]): Promise<void> {
    if (lines.length > 0) await this.run([this.ipset, "-exist", "restore"], lines.join("\n") + "\n");
  }

  private async writeChains(protectedPorts: Step[]): Promise<void> {
    for (const f of this.families) await this.run([`${this.tools[f]}-restore`, "-w", "--noflush"], buildChainRestore(this.names, f, protectedPorts));
  }

  /** Insert the INPUT jump once: `-C` exits 1 when the rule is absent. */
  private async ensureJump(f: Family): Promise<void> {
    const check = [this.tools[f], "-w", "-C", "INPUT", "-j", this.names.chain];
    const r = await this.exec(check);
    if (r.code === 0) return;
    if (r.code !== 1) throw toFirewallError(check, r);
    await this.run([this.tools[f], "-w", "-I", "INPUT", "1", "-j", this.names.chain]);
  }

  /**
   * The sets are created when missing (empty; an existing one keeps its
   * content), then both chains and the jump: from here protected ports are
   * dropped whatever the sets hold. Only then each set's content is
   * replaced (bans, trusted, grants), a set at a time; if `ipset restore`
   * refuses one (it stops at the first bad line), that set is rebuilt entry
   * by entry and the refused entries are reported.
   */
  async reconcile(state: FirewallState, now: number): Promise<ReconcileReport> {
    const plan = planState(state, now, IPSET_MAX_TTL_SEC * 1000);
    return this.serial(async () => {
      const refused = [...plan.refused];
      if (plan.forwards.length > 0) refused.push(gatewayUnsupported(this.name, plan.forwards.length));
      await this.upgradeTrustedSets();
      await this.ipsetRestore(ensureSetLines(this.names, this.families));
      await this.writeChains(plan.protectedPorts);
      for (const f of this.families) await this.ensureJump(f);
      const ttl = (expiresAt: number): string => `timeout ${ipsetSeconds(expiresAt - now)}`;
      for (const f of this.families) {
        const contents: [SetKind, string[]][] = [
          ["bans", plan.bans.filter((b) => b.family === f).map((b) => `${b.ip} ${ttl(b.expiresAt)}`)],
          ["trusted", plan.trusted[f].map((t) => trustedEntry(t.network.text, t.expiresAt, now))],
          ["grants", plan.grants.filter((g) => g.family === f).map((g) => `${grantEntry(g.ip, g.step)} ${ttl(g.expiresAt)}`)],
        ];
        for (const [kind, entries] of contents) {
          try {
            await this.ipsetRestore(replaceSetLines(this.names, kind, f, entries));
          } catch {
            refused.push(...(await this.replaceEach(kind, f, entries)));
          }
        }
      }
      // IPv6 entries with IPv6 disabled were planned but never written.
      if (!this.families.includes(6)) {
        for (const x of [...plan.bans, ...plan.grants]) if (x.family === 6) refused.push(`${x.ip}: IPv6 is disabled for this backend`);
      }
      return { refused };
    });
  }

  /**
   * Trusted sets an older Sesame created without timeouts get the new type
   * by a swap with an empty scratch set (their content is replaced next).
   */
  private async upgradeTrustedSets(): Promise<void> {
    const live = this.families.map((f) => this.names.set("trusted", f));
    const listing = await this.run([this.ipset, "list", "-t"]);
    const scratches = new Set(setsWithoutTimeout(listing, new Set(live.map((n) => `${n}-new`))));
    for (const name of setsWithoutTimeout(listing, new Set(live))) {
      const f = name === this.names.set("trusted", 4) ? 4 : 6;
      const scratch = `${name}-new`;
      await this.ipsetRestore([...(scratches.has(scratch) ? [`destroy ${scratch}`] : []), `create ${scratch} ${setType("trusted", f)}`, `swap ${scratch} ${name}`, `destroy ${scratch}`]);
    }
  }

  /** Fill the scratch set one entry per restore, swap it in; returns the refused entries with ipset's message. */
  private async replaceEach(kind: SetKind, f: Family, entries: string[]): Promise<string[]> {
    const live = this.names.set(kind, f);
    const scratch = `${live}-new`;
    const refused: string[] = [];
    await this.ipsetRestore([`create ${scratch} ${setType(kind, f)}`, `flush ${scratch}`]);
    for (const e of entries) {
      try {
        await this.ipsetRestore([`add ${scratch} ${e}`]);
      } catch (err) {
        refused.push(`${live} ${e}: ${(err as Error).message}`);
      }
    }
    await this.ipsetRestore([`swap ${scratch} ${live}`, `destroy ${scratch}`]);
    return refused;
  }

  /** `add … timeout N` with -exist replaces the timeout of an existing entry: refresh, never a second entry. */
  async grant(ip: string, ports: Step[], ttlSec: number): Promise<void> {
    const a = this.address(ip);
    const seconds = ipsetSeconds(requireTtlSec(ttlSec, IPSET_MAX_TTL_SEC) * 1000);
    const set = this.names.set("grants", a.family);
    const lines = requireSteps(ports).map((s) => `add ${set} ${grantEntry(a.text, s)} timeout ${seconds}`);
    await this.serial(() => this.ipsetRestore(lines));
  }

  async revoke(ip: string, ports?: Step[]): Promise<void> {
    const a = this.address(ip);
    const set = this.names.set("grants", a.family);
    await this.serial(async () => {
      let entries: string[];
      if (ports) entries = requireSteps(ports).map((s) => grantEntry(a.text, s));
      else {
        const saved = parseIpsetSave(await this.run([this.ipset, "save", set]), new Set([set]));
        entries = saved.map((e) => e.entry).filter((e) => e.slice(0, e.lastIndexOf(",")) === a.text);
      }
      await this.ipsetRestore(entries.map((e) => `del ${set} ${e}`));
    });
  }

  async ban(ip: string, ttlSec: number): Promise<void> {
    const a = this.address(ip);
    const seconds = ipsetSeconds(requireTtlSec(ttlSec, IPSET_MAX_TTL_SEC) * 1000);
    await this.serial(() => this.ipsetRestore([`add ${this.names.set("bans", a.family)} ${a.text} timeout ${seconds}`]));
  }

  async unban(ip: string): Promise<void> {
    const a = this.address(ip);
    await this.serial(() => this.ipsetRestore([`del ${this.names.set("bans", a.family)} ${a.text}`]));
  }

  /** Each set swapped in whole; an expiring network's remaining time is its ipset timeout. */
  async setTrusted(entries: TrustedSpec[], now: number): Promise<void> {
    const nets = planTrusted(entries, now, IPSET_MAX_TTL_SEC * 1000);
    if (!this.families.includes(6) && nets[6].length > 0) throw new RangeError("IPv6 is disabled for this backend");
    const lines = this.families.flatMap((f) => replaceSetLines(this.names, "trusted", f, nets[f].map((t) => trustedEntry(t.network.text, t.expiresAt, now))));
    await this.serial(() => this.ipsetRestore(lines));
  }

  async setProtected(ports: Step[]): Promise<void> {
    const steps = requireSteps(ports);
    await this.serial(() => this.writeChains(steps));
  }

  /**
   * Gateway mode is nftables only: ipset's grant sets match the packet's own
   * (post-DNAT) port, so a grant naming the public port could not cover a
   * rewritten connection without a rule per forward and grant.
   */
  async setForwards(forwards: ForwardSpec[]): Promise<void> {
    if (forwards.length > 0) throw new Error(gatewayUnsupported(this.name, forwards.length));
  }

  /** ipset prints whole remaining seconds, so expiresInMs is a multiple of 1000. */
  async inspect(): Promise<KernelSnapshot> {
    return this.serial(async () => {
      const sets = new Map(this.families.flatMap((f) => (["grants", "bans", "trusted"] as const).map((k) => [this.names.set(k, f), k] as const)));
      const entries = parseIpsetSave(await this.run([this.ipset, "save"]), new Set(sets.keys()));
      const snapshot: KernelSnapshot = {
        protectedPorts: parseProtectedRules(await this.run([this.tools[4], "-w", "-S", this.names.chain]), this.names),
        trusted: [],
        grants: [],
        bans: [],
        forwards: [],
      };
      for (const e of entries) {
        const kind = sets.get(e.set);
        const expiresInMs = e.timeoutSec === null ? null : e.timeoutSec * 1000;
        if (kind === "trusted") snapshot.trusted.push({ cidr: e.entry, expiresInMs: e.timeoutSec === 0 ? null : expiresInMs });
        else if (kind === "bans") snapshot.bans.push({ ip: e.entry, expiresInMs });
        else {
          const m = /^(.+),(tcp|udp):(\d+)$/.exec(e.entry);
          if (m) snapshot.grants.push({ ip: m[1]!, protocol: m[2] as "tcp" | "udp", port: Number(m[3]), expiresInMs });
        }
      }
      return snapshot;
    });
  }

  /** Nothing to do: ipset timeouts close grants and lift bans without the worker. */
  async detach(): Promise<void> {}

  /** Remove the INPUT jumps, both chains and every set; fine when some are already gone. */
  async destroy(): Promise<void> {
    await this.serial(async () => {
      const { chain, gate } = this.names;
      for (const f of this.families) {
        const tool = this.tools[f];
        for (let i = 0; i < MAX_JUMP_REMOVALS; i++) {
          if ((await this.exec([tool, "-w", "-C", "INPUT", "-j", chain])).code !== 0) break;
          await this.run([tool, "-w", "-D", "INPUT", "-j", chain]);
        }
        const existing = (await this.run([tool, "-w", "-S"])).split("\n").map((l) => l.trim());
        const present = [chain, gate].filter((c) => existing.includes(`-N ${c}`));
        for (const c of present) await this.run([tool, "-w", "-F", c]);
        for (const c of present) await this.run([tool, "-w", "-X", c]);
      }
      const ours = new Set(this.families.flatMap((f) => (["grants", "bans", "trusted"] as const).map((k) => this.names.set(k, f))));
      const listed = (await this.run([this.ipset, "list", "-n"])).split("\n").map((l) => l.trim());
      const doomed = listed.filter((n) => ours.has(n) || ours.has(n.replace(/-new$/, "")));
      await this.ipsetRestore(doomed.map((n) => `destroy ${n}`));
    });
  }
}
