import { MAX_GRANT_SEC, ipFamily, type SpaEvent } from "@sesame/core";
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
 * Packets nobody authenticated (bad HMAC, malformed, GnuPG, replays of
 * anything) are what a flood is made of: counted, a few rows a second, and
 * one summary line a second for the rest, so junk costs no memory.
 */

export const SPA_DOOR_NAME = "SPA";

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

export class SpaActions {
  private readonly junk: Stage1Limiter;
  private readonly junkCounts = new Map<string, number>();

  constructor(private readonly o: SpaActionsOptions) {
    this.junk = new Stage1Limiter(o.junkRowsPerSecond ?? 20, o.now);
  }

  handle(ev: SpaEvent, _tsUs: number | undefined): void {
    // The kernel sets' ceiling bounds a user's maximum as it bounds a door's duration.
    if (ev.outcome === "opened" && ev.user && ev.allowIp && ev.ports && ev.seconds) return this.open(ev, ev.user, ev.allowIp, ev.ports, Math.min(ev.seconds, MAX_GRANT_SEC));
    const now = this.o.now();
    const userName = ev.user?.name ?? null;
    if (!ev.user) {
      this.junkCounts.set(ev.outcome, (this.junkCounts.get(ev.outcome) ?? 0) + 1);
      if (!this.junk.allow()) return;
    }
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

  /** Once a second: the junk left out of the event rows, one line and row. */
  reportSuppressed(now: number): void {
    const suppressed = this.junk.takeSuppressed();
    const counts = [...this.junkCounts].map(([k, n]) => `${k} ${n}`).join(", ");
    this.junkCounts.clear();
    if (suppressed === 0) return;
    const msg = `suppressed ${suppressed} unauthenticated SPA packets in the last second (${counts})`;
    this.o.log.log(msg);
    this.o.writer.event({ ts: now, kind: "worker", detail: msg });
  }
}
