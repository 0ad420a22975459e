import { DEFAULT_SPA_PORT, DEFAULT_TOTP_SETTINGS, MAX_BAN_SEC, MAX_GRANT_SEC, type CommandAction, type FirewallState } from "@sesame/core";
import type { SpaUser } from "@sesame/core/spa";
import { dataVersion, type SesameDb } from "@sesame/db";
import { loadActiveBans, loadOpenGrants, loadSettings, loadTrusted, loadUnappliedClosedGrants, loadUnappliedLiftedBans, type WorkerSettings } from "./db-read";
import { markBanApplied, markGrantApplied, writeClampedBanExpiry, writeClampedGrantExpiry } from "./db-write";
import type { Decisions } from "./decisions";
import { loadDoorInfos } from "./door-load";
import type { DoorInfo, DoorTable } from "./door-table";
import type { FirewallQueue } from "./firewall-queue";
import { loadForwards } from "./forwards-read";
import type { BanLedger, GrantLedger } from "./ledger";
import type { RotatingDoors } from "./rotating-doors";
import type { RowWarnings } from "./row-warnings";
import { loadSpaUsers } from "./spa-load";
import type { TrustedAndProtected } from "./trusted-and-protected";
import { UNAPPLIED_WINDOW_MS, applyBanRequests, applyGrantRequests, type UiRequestContext } from "./ui-requests";
import { loadTotpCredentials, loadUsedTotpWindows, loadUserPorts } from "./users-read";
import type { WriteBehind } from "./write-behind";

/**
 * Keeps the worker in step with what the UI writes. `PRAGMA data_version`
 * changes whenever another connection commits; polling it every few hundred
 * ms is cheap, so a config edit reaches the kernel well within a second.
 */

export interface ReloaderOptions {
  db: SesameDb;
  /** Where the loaded doors go (the recognizers). */
  decisions: Pick<Decisions, "setDoors">;
  doors: DoorTable;
  /** Users' rotating sequences, turned into doors beside the stored ones. */
  rotating: RotatingDoors;
  grants: GrantLedger;
  bans: BanLedger;
  lists: TrustedAndProtected;
  warnings: RowWarnings;
  queue: FirewallQueue;
  writer: WriteBehind;
  log: { log(msg: string): void; warn(msg: string): void; error(msg: string): void; verbose(msg: string): void };
  now: () => number;
  /** Commands of a knockd.conf section (from the loaded root-owned file only). */
  commandFor: () => (section: string) => CommandAction | undefined;
  /** Doors or settings changed: rebuild the capture filter, interfaces, … */
  onChange: (settings: WorkerSettings) => void;
  /** The SPA users, loaded with the doors (before the protected ports are worked out). */
  spaUsers?: (users: SpaUser[], spaPort: number) => void;
}

export class Reloader {
  private settings: WorkerSettings = { configVersion: 0, interfaces: [] };
  private appliedConfigVersion = 0;
  private reloads = 0;
  private lastVersion = -1;
  /** The doors of the database, as last loaded (the rotating ones are added to them). */
  private storedDoors: DoorInfo[] = [];
  private readonly warnings: RowWarnings;
  private readonly requests: UiRequestContext;

  constructor(private readonly o: ReloaderOptions) {
    this.warnings = o.warnings;
    this.requests = o;
  }

  /** The settings as last loaded. */
  currentSettings(): WorkerSettings {
    return this.settings;
  }

  stats(): { reloads: number; appliedConfigVersion: number } {
    return { reloads: this.reloads, appliedConfigVersion: this.appliedConfigVersion };
  }

  /**
   * Start-up: load everything, fill the ledger, mark every open grant/ban as
   * applied, and return the full state for firewall.reconcile().
   */
  initial(): FirewallState {
    const { db, writer } = this.o;
    const now = this.o.now();
    this.lastVersion = dataVersion(db);
    this.o.rotating.restoreUsed(loadUsedTotpWindows(db, now));
    this.loadDoorsAndSettings();
    const protectedPorts = this.o.lists.init(loadTrusted(db, now), this.o.doors.list());
    const grants = this.warnings.validRows(loadOpenGrants(db, now));
    const bans = this.warnings.validRows(loadActiveBans(db, now));
    for (const g of grants) this.o.grants.upsert({ ip: g.ip, family: g.family, doorName: g.doorName, doorId: g.doorId, ports: g.ports, expiresAt: g.expiresAt, userId: g.userId, userName: g.userName });
    for (const b of bans) this.o.bans.replace({ ip: b.ip, family: b.family, doorName: b.doorName, expiresAt: b.expiresAt });
    // Everything pending from the UI is covered by the reconcile below.
    const closed = loadUnappliedClosedGrants(db, now - UNAPPLIED_WINDOW_MS);
    const lifted = loadUnappliedLiftedBans(db, now - UNAPPLIED_WINDOW_MS);
    for (const g of grants) if (g.clamped) this.warnings.clamped("grants", g, MAX_GRANT_SEC);
    for (const b of bans) if (b.clamped) this.warnings.clamped("bans", b, MAX_BAN_SEC);
    writer.op({
      describe: "mark restored state applied",
      run: (w) => {
        for (const g of grants) {
          if (g.clamped) writeClampedGrantExpiry(w, g.id, g.expiresAt);
          else if (g.appliedExpiresAt !== g.expiresAt) markGrantApplied(w, g.id, { appliedExpiresAt: g.expiresAt });
        }
        for (const b of bans) {
          if (b.clamped) writeClampedBanExpiry(w, b.id, b.expiresAt);
          else if (b.appliedExpiresAt !== b.expiresAt) markBanApplied(w, b.id, { appliedExpiresAt: b.expiresAt });
        }
        for (const g of closed) markGrantApplied(w, g.id, { appliedClosedAt: now });
        for (const b of lifted) markBanApplied(w, b.id, { appliedLiftedAt: now });
      },
    });
    this.appliedConfigVersion = this.settings.configVersion;
    return {
      protectedPorts,
      trusted: this.o.lists.trusted(),
      grants: grants.map((g) => ({ ip: g.ip, ports: g.ports, expiresAt: g.expiresAt })),
      bans: bans.map((b) => ({ ip: b.ip, expiresAt: b.expiresAt })),
      forwards: this.o.lists.forwards(),
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
    const now = this.o.now();
    try {
      this.loadDoorsAndSettings();
      this.o.lists.apply(loadTrusted(this.o.db, now), this.o.doors.list());
      applyGrantRequests(this.requests, now);
      applyBanRequests(this.requests, now);
    } catch (e) {
      // A read failed (schema mismatch, I/O): keep running with what we have and say so.
      this.o.log.error(`reload failed: ${(e as Error).message}`);
      return;
    }
    this.appliedConfigVersion = this.settings.configVersion;
    this.o.onChange(this.settings);
  }

  /**
   * What the firewall holds now, from the worker's own ledger (the database
   * is written behind): to set a backend up with (a switch, a reconcile retry).
   */
  firewallState(): FirewallState {
    return {
      protectedPorts: this.o.lists.protectedPorts(this.o.doors.list()),
      trusted: this.o.lists.trusted(),
      grants: this.o.grants.all().map((g) => ({ ip: g.ip, ports: g.ports, expiresAt: g.expiresAt })),
      bans: this.o.bans.all().map((b) => ({ ip: b.ip, expiresAt: b.expiresAt })),
      forwards: this.o.lists.forwards(),
    };
  }

  /**
   * Every second: when a new TOTP window began (or a user expired), the
   * rotating doors are rebuilt and the protected ports follow. Returns true
   * when the doors changed (the capture filter follows them).
   */
  refreshRotating(now: number): boolean {
    if (!this.o.rotating.isStale(now)) return false;
    this.setDoors(now);
    this.o.lists.apply(undefined, this.o.doors.list());
    return true;
  }

  private loadDoorsAndSettings(): void {
    const { db, warnings } = this.o;
    this.settings = loadSettings(db, (m) => warnings.once(m, m));
    this.storedDoors = loadDoorInfos(db, this.o.commandFor(), warnings);
    const creds = loadTotpCredentials(db);
    for (const r of creds.rejected) warnings.once(`totp:${r.id}:${r.reason}`, `user credential ${r.id} is unusable: ${r.reason}; skipped`, true);
    this.o.rotating.set(creds.rows, this.settings.totp ?? DEFAULT_TOTP_SETTINGS);
    this.o.lists.setUserPorts(loadUserPorts(db));
    this.o.lists.setForwards(loadForwards(db, (k, m) => warnings.once(k, m, true)));
    this.o.spaUsers?.(loadSpaUsers(db, (k, m) => warnings.once(k, m, true)), this.settings.spaPort ?? DEFAULT_SPA_PORT);
    this.setDoors(this.o.now());
  }

  private setDoors(now: number): void {
    this.o.decisions.setDoors([...this.storedDoors, ...this.o.rotating.doorsAt(now)]);
  }
}
