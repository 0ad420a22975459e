import { MAX_BAN_SEC, MAX_GRANT_SEC } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import { loadActiveBans, loadOpenGrants, loadUnappliedClosedGrants, loadUnappliedLiftedBans } from "./db-read";
import { markBanApplied, markGrantApplied, writeClampedBanExpiry, writeClampedGrantExpiry } from "./db-write";
import { regrantRemaining } from "./decisions";
import type { FirewallQueue } from "./firewall-queue";
import type { BanLedger, GrantLedger } from "./ledger";
import { formatPorts, unionPorts } from "./ports";
import type { RowWarnings } from "./row-warnings";
import type { WriteBehind } from "./write-behind";

/**
 * What the UI asked for by writing rows: revokes, extended or manual
 * grants, unbans and bans. Each is carried out (firewall, ledger) and its
 * row marked applied, so it is done once.
 */

/** Revokes/unbans the UI made within this window are still applied (older ones are history). */
export const UNAPPLIED_WINDOW_MS = 7 * 86_400_000;

export interface UiRequestContext {
  db: SesameDb;
  grants: GrantLedger;
  bans: BanLedger;
  queue: FirewallQueue;
  writer: WriteBehind;
  warnings: RowWarnings;
  log: { log(msg: string): void };
}

export function applyGrantRequests(c: UiRequestContext, now: number): void {
  const { queue, grants, writer, log } = c;
  for (const row of loadUnappliedClosedGrants(c.db, now - UNAPPLIED_WINDOW_MS)) {
    const taken = grants.take(row.ip, row.doorName);
    const ports = unionPorts([row.ports, ...taken.map((t) => t.ports)]);
    const base = { ts: now, ip: row.ip, doorName: row.doorName };
    void queue.run(`revoke ${formatPorts(ports)} of ${row.ip}`, base, (fw) => fw.revoke(row.ip, ports));
    regrantRemaining(row.ip, base, grants, queue, now);
    log.log(`${row.ip}: ${row.doorName}: access revoked (${row.closedReason ?? "closed"})`);
    writer.op({ describe: `mark grant ${row.id} closed`, run: (db) => markGrantApplied(db, row.id, { appliedClosedAt: now }) });
    writer.event({ ...base, kind: "revoke", detail: row.closedReason ?? null });
  }
  for (const g of c.warnings.validRows(loadOpenGrants(c.db, now))) {
    if (!g.clamped && g.appliedExpiresAt === g.expiresAt) continue;
    if (g.clamped) c.warnings.clamped("grants", g, MAX_GRANT_SEC);
    const ttl = Math.ceil((g.expiresAt - now) / 1000);
    const base = { ts: now, ip: g.ip, doorName: g.doorName };
    void queue.run(`grant ${formatPorts(g.ports)} to ${g.ip}`, base, (fw) => fw.grant(g.ip, g.ports, ttl));
    const prev = grants.upsert({ ip: g.ip, family: g.family, doorName: g.doorName, doorId: g.doorId, ports: g.ports, expiresAt: g.expiresAt, userId: g.userId, userName: g.userName });
    log.log(`${g.ip}: ${g.doorName}: access ${prev ? "extended" : "granted from the UI"}: ${formatPorts(g.ports)} for ${ttl} s`);
    writer.op({
      describe: `mark grant ${g.id} applied`,
      run: (db) => (g.clamped ? writeClampedGrantExpiry(db, g.id, g.expiresAt) : markGrantApplied(db, g.id, { appliedExpiresAt: g.expiresAt })),
    });
  }
}

export function applyBanRequests(c: UiRequestContext, now: number): void {
  const { queue, bans, writer, log } = c;
  for (const row of loadUnappliedLiftedBans(c.db, now - UNAPPLIED_WINDOW_MS)) {
    const base = { ts: now, ip: row.ip, doorName: row.doorName };
    void queue.run(`unban ${row.ip}`, base, (fw) => fw.unban(row.ip));
    bans.delete(row.ip);
    log.log(`${row.ip}: ${row.doorName}: unbanned`);
    writer.op({ describe: `mark ban ${row.id} lifted`, run: (db) => markBanApplied(db, row.id, { appliedLiftedAt: now }) });
    writer.event({ ...base, kind: "unban", detail: "unbanned" });
  }
  for (const b of c.warnings.validRows(loadActiveBans(c.db, now))) {
    if (!b.clamped && b.appliedExpiresAt === b.expiresAt) continue;
    if (b.clamped) c.warnings.clamped("bans", b, MAX_BAN_SEC);
    const ttl = Math.ceil((b.expiresAt - now) / 1000);
    const base = { ts: now, ip: b.ip, doorName: b.doorName };
    void queue.run(`ban ${b.ip}`, base, (fw) => fw.ban(b.ip, ttl));
    bans.replace({ ip: b.ip, family: b.family, doorName: b.doorName, expiresAt: b.expiresAt });
    log.log(`${b.ip}: ${b.doorName}: ban set to ${ttl} s`);
    writer.op({
      describe: `mark ban ${b.id} applied`,
      run: (db) => (b.clamped ? writeClampedBanExpiry(db, b.id, b.expiresAt) : markBanApplied(db, b.id, { appliedExpiresAt: b.expiresAt })),
    });
  }
}
