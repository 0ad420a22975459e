import { CidrSet, MAX_BAN_SEC, MAX_GRANT_SEC, doorRowToDoor, parseNetwork, type CommandAction, type FirewallState, type Step } from "@sesame/core";
import { dataVersion, type SesameDb } from "@sesame/db";
import { formatPorts, unionPorts } from "./ports";
import {
  loadActiveBans,
  loadDoorRows,
  loadOpenGrants,
  loadSettings,
  loadTrusted,
  loadUnappliedClosedGrants,
  loadUnappliedLiftedBans,
  type DoorRowWithId,
  type TrustedEntry,
  type WorkerSettings,
} from "./db-read";
import { markBanApplied, markGrantApplied, writeClampedBanExpiry, writeClampedGrantExpiry } from "./db-write";
import { checkDoorAction, formatRejected, type RejectedRow } from "./db-rows";
import type { DoorInfo, Engine } from "./engine";
import type { WriteBehind } from "./write-behind";

/**
 * Keeps the worker in step with what the UI writes. `PRAGMA data_version`
 * changes whenever another connection commits; polling it every few hundred
 * ms is cheap, so a config edit reaches the kernel well within a second.
 */

export interface ReloadLog {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  verbose(msg: string): void;
}

export interface ReloaderOptions {
  db: SesameDb;
  engine: Engine;
  writer: WriteBehind;
  log: ReloadLog;
  now?: () => number;
  /** Commands of a knockd.conf section (from the loaded root-owned file only). */
  commandFor: () => (section: string) => CommandAction | undefined;
  /** Doors or settings changed: rebuild the capture filter, interfaces, … */
  onChange: (settings: WorkerSettings) => void;
}

/** Revokes/unbans the UI made within this window are still applied (older ones are history). */
const UNAPPLIED_WINDOW_MS = 7 * 86_400_000;

export class Reloader {
  settings: WorkerSettings = { configVersion: 0, interfaces: [] };
  appliedConfigVersion = 0;
  reloads = 0;
  private readonly o: ReloaderOptions;
  private readonly now: () => number;
  private lastVersion = -1;
  private trusted: TrustedEntry[] = [];
  private trustedSet = new CidrSet();
  private trustedKey = "";
  private protectedKey = "";
  private warned = new Set<string>();

  constructor(opts: ReloaderOptions) {
    this.o = opts;
    this.now = opts.now ?? Date.now;
  }

  isTrusted = (ip: string): boolean => this.trustedSet.has(ip);

  /**
   * Start-up: load everything, fill the ledger, mark every open grant/ban as
   * applied, and return the full state for firewall.reconcile().
   */
  initial(): FirewallState {
    const now = this.now();
    this.lastVersion = dataVersion(this.o.db);
    this.loadDoorsAndSettings();
    this.trusted = loadTrusted(this.o.db, now);
    this.rebuildTrusted();
    this.trustedKey = JSON.stringify(this.trustedSet.cidrs.map((c) => c.text).sort());
    const protectedPorts = this.protectedPorts();
    this.protectedKey = JSON.stringify(protectedPorts);
    const grants = this.validRows(loadOpenGrants(this.o.db, now));
    const bans = this.validRows(loadActiveBans(this.o.db, now));
    for (const g of grants) this.o.engine.grants.upsert({ ip: g.ip, family: g.family, doorName: g.doorName, doorId: g.doorId, ports: g.ports, expiresAt: g.expiresAt });
    for (const b of bans) this.o.engine.bans.replace({ ip: b.ip, family: b.family, doorName: b.doorName, expiresAt: b.expiresAt });
    // Everything pending from the UI is covered by the reconcile below.
    const closed = loadUnappliedClosedGrants(this.o.db, now - UNAPPLIED_WINDOW_MS);
    const lifted = loadUnappliedLiftedBans(this.o.db, now - UNAPPLIED_WINDOW_MS);
    for (const g of grants) if (g.clamped) this.reportClamped("grants", g, MAX_GRANT_SEC);
    for (const b of bans) if (b.clamped) this.reportClamped("bans", b, MAX_BAN_SEC);
    this.o.writer.op({
      describe: "mark restored state applied",
      run: (db) => {
        for (const g of grants) {
          if (g.clamped) writeClampedGrantExpiry(db, g.id, g.expiresAt);
          else if (g.appliedExpiresAt !== g.expiresAt) markGrantApplied(db, g.id, { appliedExpiresAt: g.expiresAt });
        }
        for (const b of bans) {
          if (b.clamped) writeClampedBanExpiry(db, b.id, b.expiresAt);
          else if (b.appliedExpiresAt !== b.expiresAt) markBanApplied(db, b.id, { appliedExpiresAt: b.expiresAt });
        }
        for (const g of closed) markGrantApplied(db, g.id, { appliedClosedAt: now });
        for (const b of lifted) markBanApplied(db, b.id, { appliedLiftedAt: now });
      },
    });
    this.appliedConfigVersion = this.settings.configVersion;
    return {
      protectedPorts,
      trusted: this.trustedSet.cidrs.map((c) => c.text),
      grants: grants.map((g) => ({ ip: g.ip, ports: g.ports, expiresAt: g.expiresAt })),
      bans: bans.map((b) => ({ ip: b.ip, expiresAt: b.expiresAt })),
    };
  }

  /** Cheap check; reloads when another connection committed. Returns true when it reloaded. */
  poll(): boolean {
    let v: number;
    try {
      v = dataVersion(this.o.db);
    } catch (e) {
      this.o.log.error(`database: cannot read data_version: ${(e as Error).message}`);
      return false;
    }
    if (v === this.lastVersion) return false;
    this.lastVersion = v;
    this.reload();
    return true;
  }

  /** Applies everything the UI may have changed (also on SIGHUP). */
  reload(): void {
    this.reloads++;
    const now = this.now();
    try {
      this.loadDoorsAndSettings();
      this.trusted = loadTrusted(this.o.db, now);
      this.applyTrustedAndProtected();
      this.applyGrantRequests(now);
      this.applyBanRequests(now);
    } catch (e) {
      // A read failed (schema mismatch, I/O): keep running with what we have and say so.
      this.o.log.error(`reload failed: ${(e as Error).message}`);
      return;
    }
    this.appliedConfigVersion = this.settings.configVersion;
    this.o.onChange(this.settings);
  }

  /** Trusted entries with an expiry leave the kernel when due (called every second). */
  expireTrusted(now: number): void {
    const live = this.trusted.filter((t) => t.expiresAt === null || t.expiresAt > now);
    if (live.length === this.trusted.length) return;
    this.trusted = live;
    this.applyTrustedAndProtected();
  }

  /** The rows that passed validation; each skipped one is logged (and recorded) once per row. */
  private validRows<T>(loaded: { rows: T[]; rejected: RejectedRow[] }): T[] {
    for (const r of loaded.rejected) {
      const key = `row:${r.table}:${String(r.id)}:${r.reason}`;
      if (this.warned.has(key)) continue;
      const msg = `database: ${formatRejected(r)}; row skipped (nothing of it reaches the firewall)`;
      this.warnOnce(key, msg, true);
      this.o.writer.event({ ts: this.now(), kind: "worker", detail: msg });
    }
    return loaded.rows;
  }

  /** An expiry past its cap was shortened (and is written back, so this is said once). */
  private reportClamped(table: "grants" | "bans", r: { id: number; ip: string; doorName: string; expiresAt: number }, maxSec: number): void {
    this.warnOnce(
      `clamp:${table}:${r.id}`,
      `database: ${table} row ${r.id} (${r.ip}, ${r.doorName}): expiry is more than ${maxSec} s away; shortened to ${new Date(r.expiresAt).toISOString()}`,
    );
  }

  private warnOnce(key: string, msg: string, error = false): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (error) this.o.log.error(msg);
    else this.o.log.warn(msg);
  }

  private loadDoorsAndSettings(): void {
    this.settings = loadSettings(this.o.db, (m) => this.warnOnce(m, m));
    const commandFor = this.o.commandFor();
    const infos: DoorInfo[] = [];
    for (const row of loadDoorRows(this.o.db)) {
      const info = this.toInfo(row, commandFor);
      if (info) infos.push(info);
    }
    this.o.engine.setDoors(infos);
  }

  private toInfo(row: DoorRowWithId, commandFor: (section: string) => CommandAction | undefined): DoorInfo | null {
    try {
      const checked = checkDoorAction(doorRowToDoor(row, { commandFor }));
      if (!checked.ok) throw new Error(checked.reason);
      if (checked.note) this.warnOnce(`clampdoor:${row.id}:${row.updatedAt}`, `door ${row.name} (id ${row.id}): ${checked.note}`);
      const door = checked.door;
      if (row.action === "command" && row.enabled && !door.enabled) {
        this.warnOnce(`nocmd:${row.id}:${row.commandSection}`, `${row.name}: no commands for section [${row.commandSection ?? "?"}] in the worker's config file; the door runs nothing`, true);
      }
      return { door, rowId: row.id, source: row.source, section: row.commandSection };
    } catch (e) {
      this.warnOnce(`bad:${row.id}:${row.updatedAt}`, `door ${row.name} (id ${row.id}) is unusable: ${(e as Error).message}`, true);
      return null;
    }
  }

  /**
   * What the firewall holds now, from the worker's own ledger (the database
   * is written behind): to set a backend up with (a switch, a reconcile retry).
   */
  current(): FirewallState {
    return {
      protectedPorts: this.protectedPorts(),
      trusted: this.trustedSet.cidrs.map((c) => c.text),
      grants: this.o.engine.grants.all().map((g) => ({ ip: g.ip, ports: g.ports, expiresAt: g.expiresAt })),
      bans: this.o.engine.bans.all().map((b) => ({ ip: b.ip, expiresAt: b.expiresAt })),
    };
  }

  private rebuildTrusted(): void {
    const valid: string[] = [];
    for (const t of this.trusted) {
      // parseNetwork: a ::ffff:… row stored before the UI refused them must not reach the kernel.
      const p = parseNetwork(t.cidr);
      if (p.ok) valid.push(p.cidr.text);
      else this.warnOnce(`cidr:${t.cidr}`, `trusted network "${t.cidr}" is refused (${p.reason}); ignored`, true);
    }
    this.trustedSet = new CidrSet(valid);
  }

  private protectedPorts(): Step[] {
    const lists: Step[][] = [];
    for (const d of this.o.engine.doorList()) if (d.enabled && d.action.kind === "open") lists.push(d.action.ports);
    return unionPorts(lists);
  }

  private applyTrustedAndProtected(): void {
    const base = { ts: this.now() };
    this.rebuildTrusted();
    const cidrs = this.trustedSet.cidrs.map((c) => c.text).sort();
    const tKey = JSON.stringify(cidrs);
    if (tKey !== this.trustedKey) {
      this.trustedKey = tKey;
      void this.o.engine.fw(`set trusted networks (${cidrs.length})`, base, () => this.o.engine.firewall.setTrusted(cidrs));
      this.o.log.verbose(`trusted networks: ${cidrs.join(", ") || "none"}`);
    }
    const ports = this.protectedPorts();
    const pKey = JSON.stringify(ports);
    if (pKey !== this.protectedKey) {
      this.protectedKey = pKey;
      void this.o.engine.fw(`set protected ports (${formatPorts(ports) || "none"})`, base, () => this.o.engine.firewall.setProtected(ports));
      this.o.log.log(`protected ports: ${formatPorts(ports) || "none"}`);
    }
  }

  private applyGrantRequests(now: number): void {
    const { engine, writer, log } = this.o;
    for (const row of loadUnappliedClosedGrants(this.o.db, now - UNAPPLIED_WINDOW_MS)) {
      const taken = engine.grants.take(row.ip, row.doorName);
      const ports = unionPorts([row.ports, ...taken.map((t) => t.ports)]);
      const base = { ts: now, ip: row.ip, doorName: row.doorName };
      void engine.fw(`revoke ${formatPorts(ports)} of ${row.ip}`, base, () => engine.firewall.revoke(row.ip, ports));
      engine.reapply(row.ip, base);
      log.log(`${row.ip}: ${row.doorName}: access revoked (${row.closedReason ?? "closed"})`);
      writer.op({ describe: `mark grant ${row.id} closed`, run: (db) => markGrantApplied(db, row.id, { appliedClosedAt: now }) });
      writer.event({ ...base, kind: "revoke", detail: row.closedReason ?? null });
    }
    for (const g of this.validRows(loadOpenGrants(this.o.db, now))) {
      if (!g.clamped && g.appliedExpiresAt === g.expiresAt) continue;
      if (g.clamped) this.reportClamped("grants", g, MAX_GRANT_SEC);
      const ttl = Math.ceil((g.expiresAt - now) / 1000);
      const base = { ts: now, ip: g.ip, doorName: g.doorName };
      void engine.fw(`grant ${formatPorts(g.ports)} to ${g.ip}`, base, () => engine.firewall.grant(g.ip, g.ports, ttl));
      const prev = engine.grants.upsert({ ip: g.ip, family: g.family, doorName: g.doorName, doorId: g.doorId, ports: g.ports, expiresAt: g.expiresAt });
      log.log(`${g.ip}: ${g.doorName}: access ${prev ? "extended" : "granted from the UI"}: ${formatPorts(g.ports)} for ${ttl} s`);
      writer.op({
        describe: `mark grant ${g.id} applied`,
        run: (db) => (g.clamped ? writeClampedGrantExpiry(db, g.id, g.expiresAt) : markGrantApplied(db, g.id, { appliedExpiresAt: g.expiresAt })),
      });
    }
  }

  private applyBanRequests(now: number): void {
    const { engine, writer, log } = this.o;
    for (const row of loadUnappliedLiftedBans(this.o.db, now - UNAPPLIED_WINDOW_MS)) {
      const base = { ts: now, ip: row.ip, doorName: row.doorName };
      void engine.fw(`unban ${row.ip}`, base, () => engine.firewall.unban(row.ip));
      engine.bans.delete(row.ip);
      log.log(`${row.ip}: ${row.doorName}: unbanned`);
      writer.op({ describe: `mark ban ${row.id} lifted`, run: (db) => markBanApplied(db, row.id, { appliedLiftedAt: now }) });
      writer.event({ ...base, kind: "unban", detail: "unbanned" });
    }
    for (const b of this.validRows(loadActiveBans(this.o.db, now))) {
      if (!b.clamped && b.appliedExpiresAt === b.expiresAt) continue;
      if (b.clamped) this.reportClamped("bans", b, MAX_BAN_SEC);
      const ttl = Math.ceil((b.expiresAt - now) / 1000);
      const base = { ts: now, ip: b.ip, doorName: b.doorName };
      void engine.fw(`ban ${b.ip}`, base, () => engine.firewall.ban(b.ip, ttl));
      engine.bans.replace({ ip: b.ip, family: b.family, doorName: b.doorName, expiresAt: b.expiresAt });
      log.log(`${b.ip}: ${b.doorName}: ban set to ${ttl} s`);
      writer.op({
        describe: `mark ban ${b.id} applied`,
        run: (db) => (b.clamped ? writeClampedBanExpiry(db, b.id, b.expiresAt) : markBanApplied(db, b.id, { appliedExpiresAt: b.expiresAt })),
      });
    }
  }
}
