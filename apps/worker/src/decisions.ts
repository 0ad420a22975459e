import { decideActions, formatMatchEvent, type Decision, type KnockPacket, type MatchEvent, type SpaEvent } from "@sesame/core";
import type { CommandRunner } from "./commands";
import { closeGrants, upsertBan, upsertGrant } from "./db-write";
import type { DoorInfo, DoorTable } from "./door-table";
import type { FirewallQueue } from "./firewall-queue";
import type { BanLedger, GrantEntry, GrantLedger } from "./ledger";
import type { MatchEventLog } from "./match-event-log";
import type { OneTimeProgress } from "./one-time-progress";
import { formatPorts, unionPorts } from "./ports";
import type { Recognizer } from "./recognizer";
import type { RotatingDoors } from "./rotating-doors";
import { recordTotpUse } from "./users-read";
import type { EventRow, WriteBehind } from "./write-behind";

/**
 * The decision step. Packets in from capture, through the recognizers, and
 * whatever they recognized carried out: the firewall call is queued first
 * (latency), the ledger updated, and the database learns about it through
 * the write-behind queue. Recognizers' timeouts fire from one timer at their
 * next deadline, never waiting for traffic.
 */

export interface DecisionsOptions {
  recognizers: Recognizer[];
  doors: DoorTable;
  oneTime: OneTimeProgress;
  /** Admits a completed rotating sequence (once per window, from the user's sources). */
  rotating: Pick<RotatingDoors, "admit">;
  /** Rebuilt when a one-time door moves on (only the active sequence is captured). */
  filter: { refresh(): void };
  eventLog: MatchEventLog;
  grants: GrantLedger;
  bans: BanLedger;
  queue: FirewallQueue;
  writer: WriteBehind;
  commands: CommandRunner;
  trusted: { isTrusted(ip: string): boolean };
  log: { log(msg: string): void; error(msg: string): void; debug(msg: string): void };
  now: () => number;
  ipv4Only?: boolean;
  /** Carries out what the SPA verifier decided (grants with the user, events per outcome). */
  spa?: { handle(ev: SpaEvent, tsUs: number | undefined): void };
}

export interface DecisionStats {
  packets: number;
  ipv6Ignored: number;
  opens: number;
  bans: number;
  closes: number;
  lastOpenLatencyMs: number;
  maxOpenLatencyMs: number;
}

export class Decisions {
  private readonly counts: DecisionStats = { packets: 0, ipv6Ignored: 0, opens: 0, bans: 0, closes: 0, lastOpenLatencyMs: 0, maxOpenLatencyMs: 0 };
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly o: DecisionsOptions) {}

  /** New doors (from the database): one-time progress applied, handed to every recognizer. */
  setDoors(infos: DoorInfo[]): void {
    this.o.doors.set(infos.map((i) => this.o.oneTime.withProgress(i)));
    const doors = this.o.doors.list();
    for (const r of this.o.recognizers) r.setDoors(doors);
    this.schedule();
  }

  /** Packets captured together, in order; `tsUs[i]` is the capture time of `packets[i]` (for the knock-to-open latency). */
  handlePackets(packets: KnockPacket[], tsUs: number[]): void {
    this.counts.packets += packets.length;
    let kept = packets;
    let times = tsUs;
    if (this.o.ipv4Only && packets.some((p) => p.family === 6)) {
      kept = [];
      times = [];
      packets.forEach((p, i) => {
        if (p.family === 6) this.counts.ipv6Ignored++;
        else {
          kept.push(p);
          times.push(tsUs[i] ?? 0);
        }
      });
    }
    let any = false;
    try {
      for (const r of this.o.recognizers) {
        r.handleBatch(kept).forEach((events, i) => {
          if (events.length === 0) return;
          any = true;
          this.process(events, times[i] ?? 0);
        });
      }
    } finally {
      if (any) this.schedule();
    }
  }

  /** Arms one timer at the recognizers' next deadline. */
  private schedule(): void {
    if (this.stopped) return;
    let next: number | undefined;
    for (const r of this.o.recognizers) {
      const d = r.nextDeadline();
      if (d !== undefined && (next === undefined || d < next)) next = d;
    }
    if (next === undefined) return;
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      for (const r of this.o.recognizers) this.process(r.expire(), undefined);
      this.schedule();
    }, Math.max(0, next - this.o.now()));
  }

  private process(events: MatchEvent[], tsUs: number | undefined): void {
    const { doors } = this.o;
    for (const ev of events) {
      if (ev.kind === "spa") {
        this.o.spa?.handle(ev, tsUs);
        continue;
      }
      const info = doors.get(ev.door);
      if (ev.kind === "one-time-used") {
        if (!info) continue;
        doors.replace(this.o.oneTime.used(info, ev.index, ev.exhausted));
        this.o.filter.refresh();
      } else if (ev.kind === "open-sesame") {
        const line = formatMatchEvent(ev, doors.nameOf);
        if (line) this.o.log.log(line);
        if (info) this.decide(info, ev.ip, ev.family, tsUs);
      } else this.o.eventLog.record(ev, info, doors.nameOf);
    }
  }

  private decide(info: DoorInfo, ip: string, family: 4 | 6, tsUs: number | undefined): void {
    const now = this.o.now();
    if (info.user && !this.admitUser(info, info.user, ip, now)) return;
    const decisions = decideActions({ ip, family, door: info.door }, { isTrusted: (x) => this.o.trusted.isTrusted(x), isBanned: (x) => this.o.bans.isBanned(x, now) });
    for (const d of decisions) this.apply(info, d, now, tsUs);
  }

  /** A user's rotating sequence completed: refused (with an event) unless still valid, from their sources, and its window unused. */
  private admitUser(info: DoorInfo, user: NonNullable<DoorInfo["user"]>, ip: string, now: number): boolean {
    const verdict = this.o.rotating.admit(user, ip, now);
    const base = { ts: now, ip, doorId: null, doorName: info.door.name, userName: user.userName };
    if (!verdict.ok) {
      this.o.log.log(`${ip}: ${info.door.name}: refused (${verdict.kind}): ${verdict.detail}`);
      this.o.writer.event({ ...base, kind: verdict.kind, detail: verdict.detail });
      return false;
    }
    this.o.writer.op({ describe: `rotating window ${verdict.replayKey} used`, run: (db) => recordTotpUse(db, verdict.replayKey, user.credentialId, now, verdict.keepUntil) });
    return true;
  }

  private apply(info: DoorInfo, d: Decision, now: number, tsUs: number | undefined): void {
    const { queue, grants, writer, log } = this.o;
    const doorName = info.door.name;
    const doorId = info.rowId;
    const userName = info.user?.userName ?? null;
    const base = { ts: now, ip: d.ip, doorId, doorName, userName };
    switch (d.kind) {
      case "grant": {
        const entry: GrantEntry = { ip: d.ip, family: d.family, doorName, doorId, ports: d.ports, expiresAt: now + d.durationSec * 1000 };
        if (info.user) Object.assign(entry, { userId: info.user.userId, userName: info.user.userName });
        const decidedMs = tsUs === undefined ? 0 : Math.round((Date.now() - tsUs / 1000) * 10) / 10;
        void queue.run(`grant ${formatPorts(d.ports)} to ${d.ip}`, base, (fw) => fw.grant(d.ip, d.ports, d.durationSec), () => {
          if (tsUs === undefined) return;
          this.counts.lastOpenLatencyMs = Math.round((Date.now() - tsUs / 1000) * 10) / 10;
          this.counts.maxOpenLatencyMs = Math.max(this.counts.maxOpenLatencyMs, this.counts.lastOpenLatencyMs);
          log.debug(`${d.ip}: ${doorName}: open applied ${this.counts.lastOpenLatencyMs} ms after the last knock (decided after ${decidedMs} ms)`);
        });
        const prev = grants.upsert(entry);
        this.counts.opens++;
        log.log(`${d.ip}: ${doorName}: ${prev ? "access refreshed" : "access granted"}: ${formatPorts(d.ports)} for ${d.durationSec} s`);
        writer.op({ describe: `grant ${d.ip} ${doorName}`, run: (db) => upsertGrant(db, entry, now) });
        writer.event({ ...base, kind: "open", detail: JSON.stringify({ ports: d.ports, durationSec: d.durationSec, refreshed: prev !== undefined }) });
        break;
      }
      case "revoke": {
        const taken = grants.take(d.ip, d.onlyDoor);
        const ports = unionPorts(taken.map((g) => g.ports));
        if (d.onlyDoor === undefined) void queue.run(`revoke all grants of ${d.ip}`, base, (fw) => fw.revoke(d.ip));
        else if (ports.length > 0) void queue.run(`revoke ${formatPorts(ports)} of ${d.ip}`, base, (fw) => fw.revoke(d.ip, ports));
        regrantRemaining(d.ip, base, grants, queue, now);
        this.counts.closes++;
        const what = d.onlyDoor === undefined ? "all grants" : `grants of ${d.onlyDoor}`;
        log.log(`${d.ip}: ${doorName}: closed ${what}${taken.length === 0 ? " (none open)" : `: ${formatPorts(ports)}`}`);
        writer.op({ describe: `close grants of ${d.ip}`, run: (db) => closeGrants(db, d.ip, d.onlyDoor, "close-sequence", now) });
        writer.event({ ...base, kind: "close", detail: JSON.stringify({ onlyDoor: d.onlyDoor ?? null, ports }) });
        break;
      }
      case "ban": {
        const expiresAt = now + d.durationSec * 1000;
        void queue.run(`ban ${d.ip}`, base, (fw) => fw.ban(d.ip, d.durationSec));
        this.o.bans.set({ ip: d.ip, family: d.family, doorName, expiresAt });
        // A banned address keeps nothing it had opened.
        if (grants.take(d.ip).length > 0) {
          void queue.run(`revoke grants of banned ${d.ip}`, base, (fw) => fw.revoke(d.ip));
          writer.op({ describe: `close grants of banned ${d.ip}`, run: (db) => closeGrants(db, d.ip, undefined, "banned", now) });
        }
        this.counts.bans++;
        log.log(`${d.ip}: ${doorName}: banned for ${d.durationSec} s`);
        writer.op({ describe: `ban ${d.ip}`, run: (db) => upsertBan(db, { ip: d.ip, family: d.family, doorName, doorId, expiresAt }, now) });
        writer.event({ ...base, kind: "ban", detail: JSON.stringify({ durationSec: d.durationSec }) });
        break;
      }
      case "skip-trusted":
        log.log(`${d.ip}: ${doorName}: decoy knocked from a trusted network; not banned`);
        writer.event({ ...base, kind: "trusted-skip" });
        break;
      case "ignore-banned":
        log.log(`${d.ip}: ${doorName}: address is banned; not opened`);
        writer.event({ ...base, kind: "ignored-banned" });
        break;
      case "command":
        if (!info.section) {
          log.error(`${doorName}: command door without a config file section; nothing run`);
          break;
        }
        // knockd with no Start_Command only logs the success.
        if (d.start.trim() === "" && d.stop === undefined) break;
        this.o.commands.start(d, { doorName, doorId, section: info.section });
        break;
    }
  }

  stats(): DecisionStats {
    return { ...this.counts };
  }

  /** Shutdown: no more timeouts fire. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** After a revoke, ports another door still grants this IP must stay open. */
export function regrantRemaining(ip: string, base: Omit<EventRow, "kind">, grants: GrantLedger, queue: FirewallQueue, now: number): void {
  for (const g of grants.of(ip)) {
    const ttl = Math.ceil((g.expiresAt - now) / 1000);
    if (ttl > 0) void queue.run(`re-grant ${formatPorts(g.ports)} to ${ip}`, base, (fw) => fw.grant(ip, g.ports, ttl));
  }
}
