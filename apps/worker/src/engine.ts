import {
  Matcher,
  decideActions,
  formatMatchEvent,
  type Decision,
  type Door,
  type KnockPacket,
  type MatchEvent,
} from "@sesame/core";
import type { FirewallBackend } from "@sesame/firewall";
import { BanLedger, GrantLedger, type GrantEntry } from "./ledger";
import { formatPorts, unionPorts } from "./ports";
import type { CommandRunner } from "./commands";
import { closeGrants, upsertBan, upsertGrant } from "./db-write";
import type { WriteBehind, EventRow } from "./write-behind";
import type { Health } from "./health";
import { FirewallQueue } from "./firewall-queue";
import { Stage1Limiter } from "./rate-limit";

/**
 * Packets in, firewall changes out: feeds the matcher, fires its timeouts
 * from a timer (never waiting for traffic), turns completed sequences into
 * decisions and carries them out. The firewall call goes first (latency);
 * the database learns about it through the write-behind queue.
 */

export interface DoorInfo {
  door: Door;
  rowId: number;
  source: "ui" | "knockd-conf";
  /** knockd.conf section for command doors. */
  section: string | null;
}

export interface EngineLog {
  log(msg: string): void;
  error(msg: string): void;
  verbose(msg: string): void;
  debug(msg: string): void;
}

export interface EngineOptions {
  firewall: FirewallBackend;
  writer: WriteBehind;
  log: EngineLog;
  health: Health;
  commands: CommandRunner;
  now?: () => number;
  isTrusted: (ip: string) => boolean;
  onOneTimeUsed: (info: DoorInfo, index: number, exhausted: boolean) => void;
  maxAttempts?: number;
  /** Matcher option (tests lower it so small batches take the read-ahead path). */
  readAheadMinPending?: number;
  ipv4Only?: boolean;
  stage1PerSecond?: number;
  /** Pause before the single retry of a failed firewall call. */
  retryDelayMs?: number;
}

export interface EngineStats {
  packets: number;
  ipv6Ignored: number;
  opens: number;
  bans: number;
  closes: number;
  lastOpenLatencyMs: number;
  maxOpenLatencyMs: number;
}

const ROUTINE: Record<string, EventRow["kind"]> = { invalidated: "invalid", duplicate: "duplicate", cooldown: "cooldown", evicted: "evicted" };

export class Engine {
  readonly grants = new GrantLedger();
  readonly bans = new BanLedger();
  readonly matcher: Matcher;
  readonly limiter: Stage1Limiter;
  /** Log lines (not rows: timeouts are always recorded) of stage-1 timeouts, the flood's other half. */
  readonly timeoutLineLimiter: Stage1Limiter;
  readonly stats: EngineStats = { packets: 0, ipv6Ignored: 0, opens: 0, bans: 0, closes: 0, lastOpenLatencyMs: 0, maxOpenLatencyMs: 0 };
  firewall: FirewallBackend;
  private readonly o: EngineOptions;
  private readonly now: () => number;
  private doors = new Map<string, DoorInfo>();
  /** One-time progress per door id (list identity + next index). */
  private oneTime = new Map<string, { listKey: string; index: number }>();
  private local = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly queue: FirewallQueue;
  private stopped = false;

  constructor(opts: EngineOptions) {
    this.o = opts;
    this.now = opts.now ?? Date.now;
    this.firewall = opts.firewall;
    this.queue = new FirewallQueue({ writer: opts.writer, health: opts.health, log: opts.log, now: this.now, retryDelayMs: opts.retryDelayMs });
    this.limiter = new Stage1Limiter(opts.stage1PerSecond ?? 500, this.now);
    this.timeoutLineLimiter = new Stage1Limiter(opts.stage1PerSecond ?? 500, this.now);
    this.matcher = new Matcher([], { now: this.now, isLocalAddress: (ip) => this.local.has(ip), maxAttempts: opts.maxAttempts, readAheadMinPending: opts.readAheadMinPending });
  }

  setLocalAddresses(list: string[]): void {
    this.local = new Set(list);
  }

  setDoors(infos: DoorInfo[]): void {
    // The database copy of a one-time door's index may lag our own (written behind): keep the furthest.
    for (const i of infos) {
      const d = i.door;
      const p = this.oneTime.get(d.id);
      if (p && d.oneTimeSequences && p.listKey === JSON.stringify(d.oneTimeSequences) && p.index > (d.oneTimeIndex ?? 0)) {
        d.oneTimeIndex = p.index;
        d.sequence = (d.oneTimeSequences[p.index] ?? []).map((x) => ({ ...x }));
      }
    }
    this.doors = new Map(infos.map((i) => [i.door.id, i]));
    this.matcher.setDoors(infos.map((i) => i.door));
    this.schedule();
  }

  doorList(): Door[] {
    return [...this.doors.values()].map((i) => i.door);
  }

  private nameOf = (id: string): string => this.doors.get(id)?.door.name ?? id;

  /** One decoded packet. `tsUs` is its capture time (for the knock-to-open latency). */
  handlePacket(p: KnockPacket, tsUs = this.now() * 1000): void {
    this.handlePackets([p], [tsUs]);
  }

  /** Packets captured together, in order; `tsUs[i]` is the capture time of `packets[i]`. */
  handlePackets(packets: KnockPacket[], tsUs: number[]): void {
    this.stats.packets += packets.length;
    let matched = packets;
    let times = tsUs;
    if (this.o.ipv4Only && packets.some((p) => p.family === 6)) {
      matched = [];
      times = [];
      packets.forEach((p, i) => {
        if (p.family === 6) {
          this.stats.ipv6Ignored++;
        } else {
          matched.push(p);
          times.push(tsUs[i] ?? 0);
        }
      });
    }
    const results = this.matcher.handleBatch(matched);
    let any = false;
    try {
      results.forEach((events, i) => {
        if (events.length === 0) return;
        any = true;
        this.process(events, times[i] ?? 0);
      });
    } finally {
      if (any) this.schedule();
    }
  }

  /** Arms one timer at the matcher's next deadline. */
  private schedule(): void {
    if (this.stopped) return;
    const next = this.matcher.nextDeadline();
    if (next === undefined) return;
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.process(this.matcher.expire(), undefined);
      this.schedule();
    }, Math.max(0, next - this.now()));
  }

  private process(events: MatchEvent[], tsUs: number | undefined): void {
    const now = this.now();
    for (const ev of events) {
      if (ev.kind === "one-time-used") {
        const info = this.doors.get(ev.door);
        if (!info) continue;
        const d = info.door;
        const next = ev.index + 1;
        if (d.oneTimeSequences && next > (d.oneTimeIndex ?? 0)) {
          d.oneTimeIndex = next;
          d.sequence = (d.oneTimeSequences[next] ?? []).map((x) => ({ ...x }));
          this.oneTime.set(d.id, { listKey: JSON.stringify(d.oneTimeSequences), index: next });
        }
        this.o.onOneTimeUsed(info, ev.index, ev.exhausted);
        continue;
      }
      const info = this.doors.get(ev.door);
      const doorName = info?.door.name ?? ev.door;
      const doorId = info?.rowId ?? null;
      const line = formatMatchEvent(ev, this.nameOf);
      switch (ev.kind) {
        case "stage":
          if (ev.stage === 1 && !this.limiter.allow()) break;
          if (line) this.o.log.log(line);
          this.o.writer.event({ ts: now, kind: "stage", ip: ev.ip, doorId, doorName, stage: ev.stage, detail: `${ev.stage}/${ev.of}` });
          break;
        case "timeout":
          // A spoofed flood leaves one stage-1 attempt per packet to expire: cap those like stage-1 events
          // (a summary row says how many), so the write queue and the heap stay flat; later stages always count.
          if (ev.stage === 1 && !this.timeoutLineLimiter.allow()) break;
          if (line) this.o.log.log(line);
          this.o.writer.event({ ts: now, kind: "timeout", ip: ev.ip, doorId, doorName, stage: ev.stage });
          break;
        case "open-sesame":
          if (line) this.o.log.log(line);
          if (info) this.decide(info, ev.ip, ev.family, tsUs);
          break;
        default: {
          this.o.log.verbose(`${ev.ip}: ${doorName}: ${ev.kind}${"stage" in ev ? ` (stage ${ev.stage})` : ""}`);
          this.o.writer.event({ ts: now, kind: ROUTINE[ev.kind] ?? "invalid", ip: ev.ip, doorId, doorName, stage: "stage" in ev ? ev.stage : null });
        }
      }
    }
  }

  private decide(info: DoorInfo, ip: string, family: 4 | 6, tsUs: number | undefined): void {
    const now = this.now();
    const decisions = decideActions({ ip, family, door: info.door }, { isTrusted: this.o.isTrusted, isBanned: (x) => this.bans.isBanned(x, now) });
    for (const d of decisions) this.apply(info, d, now, tsUs);
  }

  private apply(info: DoorInfo, d: Decision, now: number, tsUs: number | undefined): void {
    const doorName = info.door.name;
    const doorId = info.rowId;
    const base = { ts: now, ip: d.ip, doorId, doorName };
    switch (d.kind) {
      case "grant": {
        const entry: GrantEntry = { ip: d.ip, family: d.family, doorName, doorId, ports: d.ports, expiresAt: now + d.durationSec * 1000 };
        const t0 = tsUs;
        const decidedMs = t0 === undefined ? 0 : Math.round((Date.now() - t0 / 1000) * 10) / 10;
        this.fw(`grant ${formatPorts(d.ports)} to ${d.ip}`, base, () => this.firewall.grant(d.ip, d.ports, d.durationSec), () => {
          if (t0 === undefined) return;
          const ms = Date.now() - t0 / 1000;
          this.stats.lastOpenLatencyMs = Math.round(ms * 10) / 10;
          this.stats.maxOpenLatencyMs = Math.max(this.stats.maxOpenLatencyMs, this.stats.lastOpenLatencyMs);
          this.o.log.debug(`${d.ip}: ${doorName}: open applied ${this.stats.lastOpenLatencyMs} ms after the last knock (decided after ${decidedMs} ms)`);
        });
        const prev = this.grants.upsert(entry);
        this.stats.opens++;
        this.o.log.log(`${d.ip}: ${doorName}: ${prev ? "access refreshed" : "access granted"}: ${formatPorts(d.ports)} for ${d.durationSec} s`);
        this.o.writer.op({ describe: `grant ${d.ip} ${doorName}`, run: (db) => upsertGrant(db, entry, now) });
        this.o.writer.event({ ...base, kind: "open", detail: JSON.stringify({ ports: d.ports, durationSec: d.durationSec, refreshed: prev !== undefined }) });
        break;
      }
      case "revoke": {
        const taken = this.grants.take(d.ip, d.onlyDoor);
        const ports = unionPorts(taken.map((g) => g.ports));
        if (d.onlyDoor === undefined) this.fw(`revoke all grants of ${d.ip}`, base, () => this.firewall.revoke(d.ip));
        else if (ports.length > 0) this.fw(`revoke ${formatPorts(ports)} of ${d.ip}`, base, () => this.firewall.revoke(d.ip, ports));
        this.reapply(d.ip, base);
        this.stats.closes++;
        const what = d.onlyDoor === undefined ? "all grants" : `grants of ${d.onlyDoor}`;
        this.o.log.log(`${d.ip}: ${doorName}: closed ${what}${taken.length === 0 ? " (none open)" : `: ${formatPorts(ports)}`}`);
        this.o.writer.op({ describe: `close grants of ${d.ip}`, run: (db) => closeGrants(db, d.ip, d.onlyDoor, "close-sequence", now) });
        this.o.writer.event({ ...base, kind: "close", detail: JSON.stringify({ onlyDoor: d.onlyDoor ?? null, ports }) });
        break;
      }
      case "ban": {
        const expiresAt = now + d.durationSec * 1000;
        this.fw(`ban ${d.ip}`, base, () => this.firewall.ban(d.ip, d.durationSec));
        this.bans.set({ ip: d.ip, family: d.family, doorName, expiresAt });
        // A banned address keeps nothing it had opened.
        const taken = this.grants.take(d.ip);
        if (taken.length > 0) {
          this.fw(`revoke grants of banned ${d.ip}`, base, () => this.firewall.revoke(d.ip));
          this.o.writer.op({ describe: `close grants of banned ${d.ip}`, run: (db) => closeGrants(db, d.ip, undefined, "banned", now) });
        }
        this.stats.bans++;
        this.o.log.log(`${d.ip}: ${doorName}: banned for ${d.durationSec} s`);
        this.o.writer.op({ describe: `ban ${d.ip}`, run: (db) => upsertBan(db, { ip: d.ip, family: d.family, doorName, doorId, expiresAt }, now) });
        this.o.writer.event({ ...base, kind: "ban", detail: JSON.stringify({ durationSec: d.durationSec }) });
        break;
      }
      case "skip-trusted":
        this.o.log.log(`${d.ip}: ${doorName}: decoy knocked from a trusted network; not banned`);
        this.o.writer.event({ ...base, kind: "trusted-skip" });
        break;
      case "ignore-banned":
        this.o.log.log(`${d.ip}: ${doorName}: address is banned; not opened`);
        this.o.writer.event({ ...base, kind: "ignored-banned" });
        break;
      case "command":
        if (!info.section) {
          this.o.log.error(`${doorName}: command door without a config file section; nothing run`);
          break;
        }
        // knockd with no Start_Command only logs the success.
        if (d.start.trim() === "" && d.stop === undefined) break;
        this.o.commands.start(d, { doorName, doorId, section: info.section });
        break;
    }
  }

  /** After a revoke, ports another door still grants this IP must stay open. */
  reapply(ip: string, base: Omit<EventRow, "kind">): void {
    const now = this.now();
    for (const g of this.grants.of(ip)) {
      const ttl = Math.ceil((g.expiresAt - now) / 1000);
      if (ttl > 0) this.fw(`re-grant ${formatPorts(g.ports)} to ${ip}`, base, () => this.firewall.grant(ip, g.ports, ttl));
    }
  }

  /** Runs a firewall call through the queue (in order, failures recorded and retried once). */
  fw(what: string, base: Omit<EventRow, "kind">, call: () => Promise<void>, onDone?: () => void): Promise<void> {
    return this.queue.run(what, base, call, onDone);
  }

  /** Resolves when every queued firewall call has finished. */
  settle(): Promise<void> {
    return this.queue.settle();
  }

  /** Failed firewall calls so far (each failed attempt counts). */
  get firewallErrors(): number {
    return this.queue.errors;
  }

  /** Drop book entries whose time is up (the kernel closed them already); returns them for logging. */
  expireBooks(now: number): { grants: GrantEntry[]; bans: number } {
    const grants = this.grants.expire(now);
    const bans = this.bans.expire(now);
    for (const g of grants) this.o.log.verbose(`${g.ip}: ${g.doorName}: access expired`);
    for (const b of bans) this.o.log.verbose(`${b.ip}: ${b.doorName}: ban expired`);
    return { grants, bans: bans.length };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
