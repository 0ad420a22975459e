import type { FirewallState, ForwardSpec, Step, TrustedSpec } from "@sesame/core";
import { requireAddress, requireNetwork, type Family } from "./addr";
import { expandTemplate, selectTemplate, validateTemplates, type CommandTemplates, type TemplateKind } from "./command-template";
import { createRunner, type ExecOptions, type RunFn } from "./exec";
import { gatewayUnsupported } from "./forward-plan";
import { planState } from "./plan";
import { createSerialQueue } from "./serial";
import { requireSteps, requireTtlSec, stepKey } from "./steps";
import type { FirewallBackend, FirewallError, KernelSnapshot, ReconcileReport } from "./types";

export interface CommandBackendOptions extends ExecOptions {
  templates: CommandTemplates;
  /** Clock (ms since epoch); injected by tests, Date.now by default. */
  now?: () => number;
  /**
   * Failures nobody awaits: a revoke/unban run by an expiry timer ("expire"),
   * or the revoke run before re-applying a grant after a restart ("cleanup",
   * expected to fail when the rule is already gone, e.g. after a reboot).
   */
  onError?: (err: FirewallError, context: "expire" | "cleanup") => void;
}

interface Entry {
  kind: "grant" | "ban";
  ip: string;
  family: Family;
  step?: Step;
  expiresAt: number;
  ttlSec: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** setTimeout's limit; longer entries re-arm when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_TTL_SEC = 10 * 365 * 86_400;

/**
 * knockd-compatible backend: runs user-configured argv templates. The kernel
 * has no timeout here, so the backend keeps one timer per grant and ban and
 * runs the revoke/unban itself. Consequence: while the worker is dead nothing
 * closes at expiry (only nftables/ipset can do that); the worker's next
 * reconcile() runs the overdue revokes. On a clean stop, detach() revokes the
 * open grants (fail closed) and leaves bans in place.
 *
 * Protected ports and trusted networks are not enforced by this backend: the
 * user's own rules (and templates) do that, as with knockd.
 */
export class CommandBackend implements FirewallBackend {
  readonly name = "command" as const;
  private readonly templates: CommandTemplates;
  private readonly now: () => number;
  private readonly onError: (err: FirewallError, context: "expire" | "cleanup") => void;
  private readonly run: RunFn;
  private readonly serial = createSerialQueue();
  private readonly entries = new Map<string, Entry>();

  constructor(opts: CommandBackendOptions) {
    validateTemplates(opts.templates);
    this.templates = opts.templates;
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError ?? (() => undefined);
    this.run = createRunner(opts);
  }

  private async runTemplate(kind: TemplateKind, e: Entry, timeoutSec: number): Promise<void> {
    const list = selectTemplate(this.templates, kind, e.family);
    if (list.length === 0) throw new Error(`command backend: no ${kind} command configured`);
    for (const argv of expandTemplate(list, { ip: e.ip, ...(e.step ? { step: e.step } : {}), timeoutSec })) await this.run(argv);
  }

  private close(e: Entry): Promise<void> {
    return this.runTemplate(e.kind === "grant" ? "revoke" : "unban", e, e.ttlSec);
  }

  private arm(key: string, e: Entry): void {
    clearTimeout(e.timer);
    const delay = Math.min(Math.max(0, e.expiresAt - this.now()), MAX_TIMER_MS);
    e.timer = setTimeout(() => void this.serial(() => this.expire(key, e)), delay);
  }

  /** Timer callback, serialized with every other operation: a refresh that got in first just re-arms. */
  private async expire(key: string, e: Entry): Promise<void> {
    if (this.entries.get(key) !== e) return;
    if (e.expiresAt > this.now()) return this.arm(key, e);
    this.entries.delete(key);
    await this.close(e).catch((err: FirewallError) => this.onError(err, "expire"));
  }

  /** Open (run the grant/ban command) or, when already open, only move the expiry: never a second command. */
  private async open(key: string, e: Entry, cleanupFirst: boolean): Promise<void> {
    const current = this.entries.get(key);
    if (current) {
      current.expiresAt = e.expiresAt;
      current.ttlSec = e.ttlSec;
      return this.arm(key, current);
    }
    // After a restart the rule may have survived us: remove it before adding, so it cannot stack.
    if (cleanupFirst) await this.close(e).catch((err: FirewallError) => this.onError(err, "cleanup"));
    await this.runTemplate(e.kind, e, e.ttlSec);
    this.entries.set(key, e);
    this.arm(key, e);
  }

  private async drop(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    this.entries.delete(key);
    await this.close(e);
  }

  /** Run every task even when some fail, then throw the first failure. */
  private async all(tasks: (() => Promise<void>)[]): Promise<void> {
    const errors: unknown[] = [];
    for (const t of tasks) await t().catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  }

  async reconcile(state: FirewallState, now: number): Promise<ReconcileReport> {
    const plan = planState(state, now, MAX_TTL_SEC * 1000);
    const want = new Map<string, Entry>();
    for (const g of plan.grants) {
      want.set(`g|${g.ip}|${stepKey(g.step)}`, { kind: "grant", ip: g.ip, family: g.family, step: g.step, expiresAt: g.expiresAt, ttlSec: Math.ceil((g.expiresAt - now) / 1000) });
    }
    for (const b of plan.bans) want.set(`b|${b.ip}`, { kind: "ban", ip: b.ip, family: b.family, expiresAt: b.expiresAt, ttlSec: Math.ceil((b.expiresAt - now) / 1000) });
    const overdue: Entry[] = [
      ...plan.expiredGrants.map((g): Entry => ({ kind: "grant", ip: g.ip, family: g.family, step: g.step, expiresAt: g.expiresAt, ttlSec: 0 })),
      ...plan.expiredBans.map((b): Entry => ({ kind: "ban", ip: b.ip, family: b.family, expiresAt: b.expiresAt, ttlSec: 0 })),
    ].filter((e) => !want.has(e.kind === "grant" ? `g|${e.ip}|${stepKey(e.step!)}` : `b|${e.ip}`));
    await this.serial(() =>
      this.all([
        ...[...this.entries.keys()].filter((k) => !want.has(k)).map((k) => () => this.drop(k)),
        // Overdue entries this process never opened: what a dead worker left behind.
        ...overdue.filter((e) => !this.entries.has(e.kind === "grant" ? `g|${e.ip}|${stepKey(e.step!)}` : `b|${e.ip}`))
          .map((e) => () => this.close(e).catch((err: FirewallError) => this.onError(err, "cleanup"))),
        ...[...want].map(([k, e]) => () => this.open(k, e, true)),
      ]),
    );
    return { refused: plan.forwards.length > 0 ? [...plan.refused, gatewayUnsupported(this.name, plan.forwards.length)] : plan.refused };
  }

  async grant(ip: string, ports: Step[], ttlSec: number): Promise<void> {
    const a = requireAddress(ip);
    const ttl = Math.ceil(requireTtlSec(ttlSec, MAX_TTL_SEC));
    const steps = requireSteps(ports);
    await this.serial(() =>
      this.all(steps.map((step) => () => this.open(`g|${a.text}|${stepKey(step)}`, { kind: "grant", ip: a.text, family: a.family, step, expiresAt: this.now() + ttl * 1000, ttlSec: ttl }, false))),
    );
  }

  async revoke(ip: string, ports?: Step[]): Promise<void> {
    const a = requireAddress(ip);
    const keys = ports ? requireSteps(ports).map((s) => `g|${a.text}|${stepKey(s)}`) : [...this.entries.keys()].filter((k) => k.startsWith(`g|${a.text}|`));
    await this.serial(() => this.all(keys.map((k) => () => this.drop(k))));
  }

  async ban(ip: string, ttlSec: number): Promise<void> {
    const a = requireAddress(ip);
    const ttl = Math.ceil(requireTtlSec(ttlSec, MAX_TTL_SEC));
    await this.serial(() => this.open(`b|${a.text}`, { kind: "ban", ip: a.text, family: a.family, expiresAt: this.now() + ttl * 1000, ttlSec: ttl }, false));
  }

  async unban(ip: string): Promise<void> {
    const a = requireAddress(ip);
    await this.serial(() => this.drop(`b|${a.text}`));
  }

  /** Validated, not enforced: the user's own rules protect the ports and trust networks. */
  async setTrusted(entries: TrustedSpec[]): Promise<void> {
    for (const t of entries) requireNetwork(t.cidr);
  }

  /** Validated, not enforced (see setTrusted). */
  async setProtected(ports: Step[]): Promise<void> {
    requireSteps(ports);
  }

  /** Gateway mode is nftables only (the templates have no forward or nat commands). */
  async setForwards(forwards: ForwardSpec[]): Promise<void> {
    if (forwards.length > 0) throw new Error(gatewayUnsupported(this.name, forwards.length));
  }

  /** What this process has opened and not yet closed; protection and trust are not the backend's. */
  async inspect(): Promise<KernelSnapshot> {
    const now = this.now();
    const snapshot: KernelSnapshot = { protectedPorts: [], trusted: [], grants: [], bans: [], forwards: [] };
    for (const e of this.entries.values()) {
      if (e.kind === "grant") snapshot.grants.push({ ip: e.ip, port: e.step!.port, protocol: e.step!.protocol, expiresInMs: Math.max(0, e.expiresAt - now) });
      else snapshot.bans.push({ ip: e.ip, expiresInMs: Math.max(0, e.expiresAt - now) });
    }
    return snapshot;
  }

  /**
   * Clean stop: nothing could close the grants later, so revoke them now
   * (fail closed); bans stay, and the next reconcile lifts the overdue ones.
   */
  async detach(): Promise<void> {
    await this.serial(() => {
      for (const e of this.entries.values()) clearTimeout(e.timer);
      const grants = [...this.entries].filter(([, e]) => e.kind === "grant").map(([k]) => k);
      for (const [k, e] of [...this.entries]) if (e.kind === "ban") this.entries.delete(k);
      return this.all(grants.map((k) => () => this.drop(k)));
    });
  }

  /** Close everything this process opened: revoke grants and lift bans. */
  async destroy(): Promise<void> {
    await this.serial(() => this.all([...this.entries.keys()].map((k) => () => this.drop(k))));
  }
}
