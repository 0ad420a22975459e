import { MAX_GRANT_SEC, SPA_DOOR_NAME, ipFamily, type SpaEvent } from "@sesame/core";
import { userCredentials, eq } from "@sesame/db";
import { upsertGrant } from "./db-write";
import type { FirewallQueue } from "./firewall-queue";
import type { BanLedger, GrantEntry, GrantLedger } from "./ledger";
import { formatPorts } from "./ports";
import { Stage1Limiter } from "./rate-limit";
import type { WriteBehind } from "./write-behind";

/**
 * What an SPA outcome does. opened: a grant for the allow IP through the
 * same firewall queue and kernel-timeout sets as doors (doorName "SPA", the
 * user on the grant and the event), unless that address is banned. Every
 * other outcome is one `spa` event with the user when one authenticated.
 * Packets nobody authenticated (bad HMAC, malformed, GnuPG) and replays (a
 * captured packet costs an attacker nothing to resend) are what a flood is
 * made of: a few rows a second, then once a second one `spa` row per outcome
 * (and user, for replays) with the `count` left out, so History counts them
 * by outcome and junk costs no memory beyond a handful of counters.
 */

export interface SpaActionsOptions {
  queue: FirewallQueue;
  grants: GrantLedger;
  bans: BanLedger;
  writer: WriteBehind;
  log: { log(msg: string): void; verbose(msg: string): void };
  now: () => number;
  junkRowsPerSecond?: number;
  /** sesame-fwknopd: log as fwknopd does (`[src] (stanza #1) …`, `Added access rule …`). */
  fwknopdLines?: boolean;
  /** fwknopd --test: log the decision, open nothing. */
  testOnly?: boolean;
}

/** The packets of one outcome (and user) left out of the event rows this second. */
interface Suppressed {
  outcome: string;
  userName: string | null;
  count: number;
  /** The last reason seen (malformed has several). */
  reason: string;
  /** The sender when every packet came from one, else null. */
  ip: string | null;
}

export class SpaActions {
  private readonly junk: Stage1Limiter;
  private readonly suppressed = new Map<string, Suppressed>();

  constructor(private readonly o: SpaActionsOptions) {
    this.junk = new Stage1Limiter(o.junkRowsPerSecond ?? 20, o.now);
  }

  handle(ev: SpaEvent, _tsUs: number | undefined): void {
    // The kernel sets' ceiling bounds a user's maximum as it bounds a door's duration.
    if (ev.outcome === "opened" && ev.user && ev.allowIp && ev.ports && ev.seconds) return this.open(ev, ev.user, ev.allowIp, ev.ports, Math.min(ev.seconds, MAX_GRANT_SEC));
    const now = this.o.now();
    const userName = ev.user?.name ?? null;
    if ((!ev.user || ev.outcome === "replayed") && !this.junk.allow()) return this.suppress(ev, userName);
    if (this.o.fwknopdLines) this.o.log.log(`[${ev.ip}] ${userName ? `(${userName}) ` : ""}${ev.reason}`);
    else this.o.log.log(`${ev.ip}: ${SPA_DOOR_NAME}${userName ? ` ${userName}` : ""}: ${ev.outcome}: ${ev.reason}`);
    this.o.writer.event({ ts: now, kind: "spa", ip: ev.ip, doorName: SPA_DOOR_NAME, userName, detail: JSON.stringify({ outcome: ev.outcome, reason: ev.reason, ...(ev.allowIp ? { allowIp: ev.allowIp } : {}), ...(ev.ports ? { ports: ev.ports } : {}) }) });
  }

  private open(ev: SpaEvent, user: { id: number; name: string }, ip: string, ports: NonNullable<SpaEvent["ports"]>, seconds: number): void {
    const { queue, grants, writer, log } = this.o;
    const now = this.o.now();
    const base = { ts: now, ip, doorId: null, doorName: SPA_DOOR_NAME, userName: user.name };
    if (this.o.bans.isBanned(ip, now) || this.o.bans.isBanned(ev.ip, now)) {
      log.log(`${ev.ip}: ${SPA_DOOR_NAME} ${user.name}: address is banned; not opened`);
      writer.event({ ...base, kind: "ignored-banned" });
      return;
    }
    if (this.o.fwknopdLines) log.log(`(${user.name}) SPA Packet from IP: ${ev.ip} received with access source match`);
    if (this.o.testOnly) {
      log.log(`[${ev.ip}] (${user.name}) --test mode enabled, skipping firewall manipulation.`);
      return;
    }
    const entry: GrantEntry = { ip, family: ipFamily(ip) ?? ev.family, doorName: SPA_DOOR_NAME, doorId: null, ports, expiresAt: now + seconds * 1000, userId: user.id, userName: user.name };
    void queue.run(`grant ${formatPorts(ports)} to ${ip} (SPA ${user.name})`, base, (fw) => fw.grant(ip, ports, seconds));
    const prev = grants.upsert(entry);
    if (this.o.fwknopdLines) {
      const expires = Math.floor(entry.expiresAt / 1000);
      for (const p of ports) log.log(`Added access rule to sesame for ${ip} -> ${ip.includes(":") ? "::/0" : "0.0.0.0/0"} ${p.protocol}/${p.port}, expires at ${expires}`);
    } else log.log(`${ev.ip}: ${SPA_DOOR_NAME} ${user.name}: ${prev ? "access refreshed" : "access granted"}: ${formatPorts(ports)} for ${seconds} s${ip !== ev.ip ? ` to ${ip}` : ""}`);
    writer.op({ describe: `grant ${ip} SPA ${user.name}`, run: (db) => upsertGrant(db, entry, now) });
    if (ev.credentialId !== undefined) {
      const id = ev.credentialId;
      writer.op({ describe: `credential ${id} used`, run: (db) => db.update(userCredentials).set({ lastUsedAt: now }).where(eq(userCredentials.id, id)).run() });
    }
    writer.event({ ...base, kind: "open", detail: JSON.stringify({ ports, durationSec: seconds, refreshed: prev !== undefined, src: ev.ip }) });
  }

  private suppress(ev: SpaEvent, userName: string | null): void {
    const key = `${ev.outcome}\0${userName ?? ""}`;
    const s = this.suppressed.get(key);
    if (!s) this.suppressed.set(key, { outcome: ev.outcome, userName, count: 1, reason: ev.reason, ip: ev.ip });
    else {
      s.count++;
      s.reason = ev.reason;
      if (s.ip !== ev.ip) s.ip = null;
    }
  }

  /** Once a second: the junk left out of the event rows, one log line and one `spa` row per outcome with its count. */
  reportSuppressed(now: number): void {
    const total = this.junk.takeSuppressed();
    const groups = [...this.suppressed.values()];
    this.suppressed.clear();
    if (total === 0) return;
    const counts = groups.map((g) => `${g.outcome}${g.userName ? ` of ${g.userName}` : ""} ${g.count}`).join(", ");
    this.o.log.log(`suppressed ${total} unauthenticated or replayed SPA packets in the last second (${counts})`);
    for (const g of groups)
      this.o.writer.event({ ts: now, kind: "spa", ip: g.ip, doorName: SPA_DOOR_NAME, userName: g.userName, detail: JSON.stringify({ outcome: g.outcome, count: g.count, reason: g.reason }) });
  }
}
