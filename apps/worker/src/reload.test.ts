import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Matcher } from "@sesame/core";
import { bans, doors, eq, forwards, grants, openDb, settings, trustedNetworks, type SesameDb } from "@sesame/db";
import { CommandRunner } from "./commands";
import { Decisions } from "./decisions";
import { DoorTable } from "./door-table";
import { FirewallQueue } from "./firewall-queue";
import { Health } from "./health";
import { KnockdConfHolder } from "./knockd-conf-file";
import { BanLedger, GrantLedger } from "./ledger";
import { MatchEventLog } from "./match-event-log";
import { OneTimeProgress } from "./one-time-progress";
import { Reloader } from "./reload";
import { RowWarnings } from "./row-warnings";
import { TRUSTED_REFRESH_MS, TrustedAndProtected } from "./trusted-and-protected";
import { WriteBehind } from "./write-behind";
import { RotatingDoors } from "./rotating-doors";
import { RecordingFirewall, memoryLog } from "./test-support";

// The reloader against a real (in-memory) database written the way the UI
// writes it; the firewall records what it is asked to do.

function rig(now = { t: 1_700_000_000_000 }, db: SesameDb = openDb(":memory:", { migrate: true })) {
  const fw = new RecordingFirewall();
  const log = memoryLog();
  const writer = new WriteBehind({ db });
  const clock = () => now.t;
  const health = new Health(clock);
  const commands = new CommandRunner({ log, writer, now: clock, stopCommandFor: () => undefined, stdio: "ignore" });
  const queue = new FirewallQueue(fw, { writer, health, log, now: clock, retryDelayMs: 1 });
  const warnings = new RowWarnings({ log, writer, now: clock });
  const lists = new TrustedAndProtected({ queue, warnings, log, now: clock });
  const doors = new DoorTable();
  const grants = new GrantLedger();
  const bans = new BanLedger();
  const matcher = new Matcher([], { now: clock, isLocalAddress: () => true });
  const decisions = new Decisions({
    recognizers: [matcher], doors, oneTime: new OneTimeProgress({ writer, log, knockdConf: new KnockdConfHolder(null) }), rotating: new RotatingDoors(), filter: { refresh: () => {} },
    eventLog: new MatchEventLog({ writer, log, now: clock }), grants, bans, queue, writer, commands, trusted: lists, log, now: clock,
  });
  const changes: number[] = [];
  const reloader = new Reloader({ db, decisions, doors, rotating: new RotatingDoors(), grants, bans, lists, warnings, queue, writer, log, now: clock, commandFor: () => () => undefined, onChange: (s) => changes.push(s.configVersion) });
  return { db, fw, log, writer, grants, bans, lists, doors, reloader, now, changes, settle: async () => { await queue.settle(); writer.flush(); } };
}

const P = (port: number) => ({ port, protocol: "tcp" as const });

describe("Reloader", () => {
  it("start-up: returns the whole state for reconcile, fills the ledger, skips expired rows", () => {
    const r = rig();
    const t = r.now.t;
    r.db.insert(doors).values([
      { name: "ssh", sequence: [P(1), P(2)], action: "open", openPorts: [P(22)] },
      { name: "web", sequence: [P(3), P(4)], action: "open", openPorts: [P(443), P(22)], enabled: true },
      { name: "off", sequence: [P(5), P(6)], action: "open", openPorts: [P(8080)], enabled: false },
      { name: "decoy", sequence: [P(7), P(8)], action: "ban" },
    ]).run();
    r.db.insert(trustedNetworks).values([{ cidr: "10.1.0.0/16" }, { cidr: "10.2.0.0/16", expiresAt: t - 1 }]).run();
    r.db.insert(grants).values([
      { ip: "192.0.2.1", family: 4, ports: [P(22)], doorName: "ssh", openedAt: t - 10, expiresAt: t + 60_000 },
      { ip: "192.0.2.2", family: 4, ports: [P(22)], doorName: "ssh", openedAt: t - 10, expiresAt: t - 1 },
    ]).run();
    r.db.insert(bans).values({ ip: "198.51.100.9", family: 4, doorName: "decoy", createdAt: t - 5, expiresAt: t + 30_000 }).run();
    const state = r.reloader.initial();
    expect(state).toEqual({
      protectedPorts: [P(22), P(443)],
      trusted: [{ cidr: "10.1.0.0/16", expiresAt: null }],
      grants: [{ ip: "192.0.2.1", ports: [P(22)], expiresAt: t + 60_000 }],
      bans: [{ ip: "198.51.100.9", expiresAt: t + 30_000 }],
      forwards: [],
    });
    expect(r.grants.size).toBe(1);
    expect(r.bans.isBanned("198.51.100.9", t)).toBe(true);
    expect(r.lists.isTrusted("10.1.2.3")).toBe(true);
    expect(r.lists.isTrusted("10.2.2.3")).toBe(false);
    r.writer.flush();
    expect(r.db.select().from(grants).where(eq(grants.ip, "192.0.2.1")).get()?.appliedExpiresAt).toBe(t + 60_000);
  });

  it("applies UI revoke, extend, manual grant, unban and ban; marks them applied", async () => {
    const r = rig();
    const t = r.now.t;
    r.db.insert(doors).values({ name: "ssh", sequence: [P(1), P(2)], action: "open", openPorts: [P(22)] }).run();
    const [g1, g2] = r.db.insert(grants).values([
      { ip: "192.0.2.1", family: 4, ports: [P(22)], doorName: "ssh", openedAt: t, expiresAt: t + 60_000 },
      { ip: "192.0.2.2", family: 4, ports: [P(22)], doorName: "ssh", openedAt: t, expiresAt: t + 60_000 },
    ]).returning().all();
    const [b1] = r.db.insert(bans).values({ ip: "198.51.100.9", family: 4, doorName: "decoy", createdAt: t, expiresAt: t + 30_000 }).returning().all();
    r.reloader.initial();
    r.writer.flush();
    r.fw.calls.length = 0;

    r.now.t += 1000;
    r.db.update(grants).set({ closedAt: r.now.t, closedReason: "revoked" }).where(eq(grants.id, g1!.id)).run();
    r.db.update(grants).set({ expiresAt: r.now.t + 600_000 }).where(eq(grants.id, g2!.id)).run();
    r.db.insert(grants).values({ ip: "2001:db8::5", family: 6, ports: [P(22)], doorName: "manual", openedAt: r.now.t, expiresAt: r.now.t + 120_000 }).run();
    r.db.update(bans).set({ liftedAt: r.now.t, liftedReason: "unbanned" }).where(eq(bans.id, b1!.id)).run();
    r.db.insert(bans).values({ ip: "198.51.100.10", family: 4, doorName: "manual", createdAt: r.now.t, expiresAt: r.now.t + 5000 }).run();
    r.db.insert(settings).values({ key: "configVersion", value: 7 }).run();
    r.reloader.reload();
    await r.settle();
    const key = (c: object): string => JSON.stringify(c);
    expect(r.fw.calls.map(key).sort()).toEqual(
      [
        { op: "revoke", ip: "192.0.2.1", ports: [P(22)] },
        { op: "grant", ip: "192.0.2.2", ports: [P(22)], ttlSec: 600 },
        { op: "grant", ip: "2001:db8::5", ports: [P(22)], ttlSec: 120 },
        { op: "unban", ip: "198.51.100.9" },
        { op: "ban", ip: "198.51.100.10", ttlSec: 5 },
      ].map(key).sort(),
    );
    expect(r.reloader.stats().appliedConfigVersion).toBe(7);
    expect(r.changes).toEqual([7]);
    expect(r.bans.isBanned("198.51.100.9", r.now.t)).toBe(false);
    expect(r.grants.get("192.0.2.1", "ssh")).toBeUndefined();
    // Everything is marked applied: a second reload does nothing.
    r.fw.calls.length = 0;
    r.reloader.reload();
    await r.settle();
    expect(r.fw.calls).toEqual([]);
    expect(r.db.$client.prepare("SELECT kind, ip FROM events ORDER BY id").all()).toEqual([
      { kind: "revoke", ip: "192.0.2.1" },
      { kind: "unban", ip: "198.51.100.9" },
    ]);
  });

  it("start-up skips each bad row with one logged error naming it, clamps absurd expiries and writes them back", async () => {
    const r = rig();
    const t = r.now.t;
    const DAY = 86_400_000;
    r.db.insert(doors).values([
      { name: "ssh", sequence: [P(1), P(2)], action: "open", openPorts: [P(22)] },
      { name: "wild", sequence: [P(3), P(4)], action: "open", openPorts: [{ port: 99999, protocol: "tcp" }] },
    ]).run();
    const ins = r.db.$client.prepare("INSERT INTO grants (ip, family, ports, door_name, opened_at, expires_at) VALUES (?, 4, ?, 'ssh', 0, ?)");
    const p22 = JSON.stringify([P(22)]);
    const good = Number(ins.run("192.0.2.1", p22, t + 60_000).lastInsertRowid);
    const y9999 = Number(ins.run("192.0.2.2", p22, Date.UTC(9999, 0, 1)).lastInsertRowid);
    const badIp = Number(ins.run("999.1.1.1", p22, t + 60_000).lastInsertRowid);
    const nan = Number(ins.run("192.0.2.3", p22, "NaN").lastInsertRowid);
    const badPort = Number(ins.run("192.0.2.4", JSON.stringify([{ port: 70000, protocol: "tcp" }]), t + 60_000).lastInsertRowid);
    const badProto = Number(ins.run("192.0.2.5", JSON.stringify([{ port: 22, protocol: "icmp" }]), t + 60_000).lastInsertRowid);
    ins.run("192.0.2.6", p22, -5); // negative: simply over (closed as expired)
    r.db.$client.prepare("INSERT INTO bans (ip, family, door_name, created_at, expires_at) VALUES (?, 4, 'decoy', 0, ?)").run("198.51.100.1", t + 10 * 365 * DAY);
    const state = r.reloader.initial();
    expect(state.protectedPorts).toEqual([P(22)]);
    expect(state.grants).toEqual([
      { ip: "192.0.2.1", ports: [P(22)], expiresAt: t + 60_000 },
      { ip: "192.0.2.2", ports: [P(22)], expiresAt: t + DAY },
    ]);
    expect(state.bans).toEqual([{ ip: "198.51.100.1", expiresAt: t + 365 * DAY }]);
    const errors = r.log.lines.filter((l) => l.startsWith("error: "));
    for (const id of [badIp, nan, badPort, badProto]) expect(errors.filter((l) => l.includes(`grants row ${id}:`))).toHaveLength(1);
    expect(errors.filter((l) => l.includes("door wild"))).toHaveLength(1);
    expect(errors).toHaveLength(5);
    expect(r.log.lines.filter((l) => l.startsWith("warn: ") && l.includes(`grants row ${y9999} `))).toHaveLength(1);
    r.writer.flush();
    expect(r.db.select().from(grants).where(eq(grants.id, y9999)).get()).toMatchObject({ expiresAt: t + DAY, appliedExpiresAt: t + DAY });
    expect(r.db.select().from(grants).where(eq(grants.id, good)).get()?.appliedExpiresAt).toBe(t + 60_000);
    // A reload neither logs the same rows again nor re-applies the clamped one.
    r.fw.calls.length = 0;
    const before = r.log.lines.length;
    r.reloader.reload();
    await r.settle();
    expect(r.log.lines.slice(before).filter((l) => l.startsWith("error: "))).toEqual([]);
    expect(r.fw.calls).toEqual([]);
  });

  it("a UI extend pushed far past the cap reaches the firewall clamped to one day", async () => {
    const r = rig();
    const t = r.now.t;
    r.db.insert(doors).values({ name: "ssh", sequence: [P(1), P(2)], action: "open", openPorts: [P(22)] }).run();
    const [g] = r.db.insert(grants).values({ ip: "192.0.2.1", family: 4, ports: [P(22)], doorName: "ssh", openedAt: t, expiresAt: t + 60_000 }).returning().all();
    r.reloader.initial();
    r.writer.flush();
    r.fw.calls.length = 0;
    r.db.update(grants).set({ expiresAt: t + 100 * 4 * 3_600_000 }).where(eq(grants.id, g!.id)).run();
    r.reloader.reload();
    await r.settle();
    expect(r.fw.calls).toEqual([{ op: "grant", ip: "192.0.2.1", ports: [P(22)], ttlSec: 86_400 }]);
    expect(r.db.select().from(grants).where(eq(grants.id, g!.id)).get()?.expiresAt).toBe(t + 86_400_000);
  });

  it("follows door and trusted-network edits, and expires trusted entries on time", async () => {
    const r = rig();
    r.reloader.initial();
    r.fw.calls.length = 0;
    r.db.insert(doors).values({ name: "ssh", sequence: [P(1), P(2)], action: "open", openPorts: [P(22)] }).run();
    r.db.insert(trustedNetworks).values({ cidr: "10.9.0.0/16", expiresAt: r.now.t + 2000 }).run();
    expect(r.reloader.poll()).toBe(false); // same connection: data_version does not move for our own writes
    r.reloader.reload();
    await r.settle();
    expect(r.fw.calls).toEqual([
      { op: "setTrusted", entries: [{ cidr: "10.9.0.0/16", expiresAt: r.now.t + 2000 }] },
      { op: "setProtected", ports: [P(22)] },
    ]);
    expect(r.doors.list().map((d) => d.name)).toEqual(["ssh"]);
    r.now.t += 2000;
    r.lists.expire(r.now.t, r.doors.list());
    await r.settle();
    expect(r.fw.calls.at(-1)).toEqual({ op: "setTrusted", entries: [] });
    expect(r.lists.isTrusted("10.9.1.1")).toBe(false);
  });

  it("gateway mode: enabled forwards go to the firewall with the state, a DNAT forward's public port is protected, edits follow", async () => {
    const r = rig();
    r.db.insert(forwards).values([
      { name: "web", protocol: "tcp", port: 8080, toAddress: "10.9.0.5", toPort: 80, dnat: true },
      { name: "ssh", protocol: "tcp", port: 2222, toAddress: "10.9.0.6", toPort: 2222, dnat: false },
      { name: "off", protocol: "udp", port: 53, toAddress: "10.9.0.7", toPort: 53, enabled: false },
      { name: "bad", protocol: "tcp", port: 9000, toAddress: "127.0.0.1", toPort: 9000 },
    ]).run();
    const state = r.reloader.initial();
    expect(state.forwards).toEqual([
      { protocol: "tcp", port: 8080, toAddress: "10.9.0.5", toPort: 80, dnat: true },
      { protocol: "tcp", port: 2222, toAddress: "10.9.0.6", toPort: 2222, dnat: false },
    ]);
    // the routed forward's port is the inside host's, not this host's
    expect(state.protectedPorts).toEqual([P(8080)]);
    expect(r.log.lines.filter((l) => l.includes("forwards row"))).toEqual([
      "error: database: forwards row 4 (bad): Inside address: 127.0.0.1 is a loopback address; give the inside host's own address.; forward skipped",
    ]);
    r.fw.calls.length = 0;
    r.reloader.reload();
    await r.settle();
    expect(r.fw.calls).toEqual([]);
    r.db.update(forwards).set({ enabled: false }).where(eq(forwards.name, "web")).run();
    r.reloader.reload();
    await r.settle();
    expect(r.fw.calls).toEqual([
      { op: "setForwards", forwards: [{ protocol: "tcp", port: 2222, toAddress: "10.9.0.6", toPort: 2222, dnat: false }] },
      { op: "setProtected", ports: [] },
    ]);
    expect(r.reloader.firewallState().forwards).toHaveLength(1);
  });

  it("sends expiring trusted networks again once a day (ipset caps a timeout at 24.8 days)", async () => {
    const r = rig();
    r.db.insert(trustedNetworks).values({ cidr: "10.9.0.0/16", expiresAt: r.now.t + 30 * 86_400_000 }).run();
    r.reloader.initial();
    r.fw.calls.length = 0;
    r.now.t += TRUSTED_REFRESH_MS - 1000;
    r.lists.expire(r.now.t, r.doors.list());
    await r.settle();
    expect(r.fw.calls).toEqual([]);
    r.now.t += 1000;
    r.lists.expire(r.now.t, r.doors.list());
    await r.settle();
    expect(r.fw.calls).toEqual([{ op: "setTrusted", entries: [{ cidr: "10.9.0.0/16", expiresAt: expect.any(Number) }] }]);
  });

  it("notices another connection's commit through data_version", () => {
    const dir = mkdtempSync(join(tmpdir(), "sesame-reload-"));
    try {
      const path = join(dir, "s.db");
      const mine = openDb(path, { migrate: true });
      const ui = openDb(path, {});
      const { reloader, doors: table } = rig({ t: Date.now() }, mine);
      reloader.initial();
      expect(reloader.poll()).toBe(false);
      ui.insert(doors).values({ name: "x", sequence: [P(1)], action: "ban" }).run();
      expect(reloader.poll()).toBe(true);
      expect(table.list().map((d) => d.name)).toEqual(["x"]);
      expect(reloader.poll()).toBe(false);
      mine.$client.close();
      ui.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
