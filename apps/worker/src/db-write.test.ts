import { computeAttemptCapLimit } from "@sesame/core";
import { describe, expect, it } from "vitest";
import { bans, events, grants, openDb, settings, workerStatus } from "@sesame/db";
import { loadSettings } from "./db-read";
import { closeExpired, closeGrants, pruneEvents, upsertBan, upsertGrant } from "./db-write";
import { upsertStatus } from "./heartbeat";

const P22 = [{ port: 22, protocol: "tcp" as const }];
const fresh = () => openDb(":memory:", { migrate: true });

describe("worker database writes", () => {
  it("upsertGrant refreshes the open (ip, door) row and closes stacked extras as replaced", () => {
    const db = fresh();
    db.insert(grants).values([
      { ip: "10.0.0.5", family: 4, ports: P22, doorName: "ssh", openedAt: 1, expiresAt: 100 },
      { ip: "10.0.0.5", family: 4, ports: P22, doorName: "ssh", openedAt: 2, expiresAt: 100 },
      { ip: "10.0.0.5", family: 4, ports: P22, doorName: "web", openedAt: 2, expiresAt: 100 },
    ]).run();
    upsertGrant(db, { ip: "10.0.0.5", family: 4, doorName: "ssh", doorId: null, ports: P22, expiresAt: 500 }, 50);
    upsertGrant(db, { ip: "10.0.0.6", family: 4, doorName: "ssh", doorId: null, ports: P22, expiresAt: 600 }, 50);
    expect(db.select({ ip: grants.ip, door: grants.doorName, exp: grants.expiresAt, applied: grants.appliedExpiresAt, reason: grants.closedReason }).from(grants).orderBy(grants.id).all()).toEqual([
      { ip: "10.0.0.5", door: "ssh", exp: 500, applied: 500, reason: null },
      { ip: "10.0.0.5", door: "ssh", exp: 100, applied: null, reason: "replaced" },
      { ip: "10.0.0.5", door: "web", exp: 100, applied: null, reason: null },
      { ip: "10.0.0.6", door: "ssh", exp: 600, applied: 600, reason: null },
    ]);
    closeGrants(db, "10.0.0.5", "web", "close-sequence", 70);
    expect(db.select({ reason: grants.closedReason, at: grants.appliedClosedAt }).from(grants).orderBy(grants.id).all()[2]).toEqual({ reason: "close-sequence", at: 70 });
  });

  it("upsertBan never shortens an active ban", () => {
    const db = fresh();
    upsertBan(db, { ip: "10.0.0.9", family: 4, doorName: "decoy", doorId: null, expiresAt: 1000 }, 0);
    upsertBan(db, { ip: "10.0.0.9", family: 4, doorName: "decoy", doorId: null, expiresAt: 500 }, 10);
    upsertBan(db, { ip: "10.0.0.9", family: 4, doorName: "decoy", doorId: null, expiresAt: 2000 }, 20);
    expect(db.select({ exp: bans.expiresAt, applied: bans.appliedExpiresAt }).from(bans).all()).toEqual([{ exp: 2000, applied: 2000 }]);
  });

  it("closeExpired closes due grants and bans with one event each", () => {
    const db = fresh();
    db.insert(grants).values([
      { ip: "10.0.0.1", family: 4, ports: P22, doorName: "ssh", openedAt: 0, expiresAt: 100 },
      { ip: "10.0.0.2", family: 4, ports: P22, doorName: "ssh", openedAt: 0, expiresAt: 300 },
    ]).run();
    db.insert(bans).values({ ip: "10.0.0.3", family: 4, doorName: "decoy", createdAt: 0, expiresAt: 150 }).run();
    expect(closeExpired(db, 200)).toEqual({ grants: 1, bans: 1 });
    expect(closeExpired(db, 200)).toEqual({ grants: 0, bans: 0 });
    expect(db.select({ ip: grants.ip, closedAt: grants.closedAt, reason: grants.closedReason }).from(grants).orderBy(grants.id).all()).toEqual([
      { ip: "10.0.0.1", closedAt: 100, reason: "expired" },
      { ip: "10.0.0.2", closedAt: null, reason: null },
    ]);
    expect(db.select({ kind: events.kind, ip: events.ip, ts: events.ts }).from(events).orderBy(events.id).all()).toEqual([
      { kind: "grant-expired", ip: "10.0.0.1", ts: 100 },
      { kind: "unban", ip: "10.0.0.3", ts: 150 },
    ]);
  });

  it("pruneEvents deletes old rows a batch at a time", () => {
    const db = fresh();
    for (let i = 0; i < 30; i++) db.insert(events).values({ ts: i, kind: "stage" }).run();
    expect(pruneEvents(db, 20, 8)).toBe(8);
    expect(pruneEvents(db, 20, 100)).toBe(12);
    expect(db.$client.prepare("SELECT min(ts) AS m, count(*) AS n FROM events").get()).toEqual({ m: 20, n: 10 });
  });

  it("loadSettings takes valid values and reports the others", () => {
    const db = fresh();
    db.insert(settings).values([
      { key: "configVersion", value: 12 },
      { key: "interfaces", value: ["eth0", "bad/name"] },
      { key: "backend", value: "iptables" },
      { key: "maxAttempts", value: 5000 },
    ]).run();
    const warnings: string[] = [];
    expect(loadSettings(db, (m) => warnings.push(m))).toEqual({ configVersion: 12, interfaces: [], backend: "iptables", maxAttempts: 5000 });
    expect(warnings).toEqual(["settings.interfaces: Interface names are 1 to 15 characters without spaces, '/' or ':' (for example eth0); ignored"]);
  });

  it("loadSettings clamps maxAttempts to what the machine's memory allows", () => {
    const db = fresh();
    db.insert(settings).values({ key: "maxAttempts", value: 5_000_000 }).run();
    const warnings: string[] = [];
    const limit = computeAttemptCapLimit(512 * 2 ** 20);
    expect(loadSettings(db, (m) => warnings.push(m), limit).maxAttempts).toBe(limit);
    expect(warnings).toEqual([`settings.maxAttempts 5000000 is more than this machine's memory allows; using ${limit}`]);
    expect(loadSettings(db, () => {}, 5_000_000).maxAttempts).toBe(5_000_000);
  });

  it("upsertStatus keeps a single heartbeat row", () => {
    const db = fresh();
    const s = { pid: 7, startedAt: 1, interfaces: ["eth0"], backend: "nftables", appliedConfigVersion: 3, lastError: null, lastErrorAt: null, stats: { packets: 1 } };
    upsertStatus(db, s, 10);
    upsertStatus(db, { ...s, stats: { packets: 2 }, lastError: "x", lastErrorAt: 11 }, 20);
    expect(db.select().from(workerStatus).all()).toEqual([{ id: 1, ...s, stats: { packets: 2 }, lastError: "x", lastErrorAt: 11, heartbeatAt: 20 }]);
  });
});
