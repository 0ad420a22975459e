import { describe, expect, it } from "vitest";
import { DEFAULT_TOTP_SETTINGS, Matcher, deriveTotpSequence, encodeBase32, totpCodeAt, totpStepAt, type KnockPacket, type Step } from "@sesame/core";
import { openDb, settings, userCredentials, users, type SesameDb } from "@sesame/db";
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
import { RotatingDoors } from "./rotating-doors";
import { RowWarnings } from "./row-warnings";
import { RecordingFirewall, memoryLog } from "./test-support";
import { TrustedAndProtected } from "./trusted-and-protected";
import { WriteBehind } from "./write-behind";

// Rotating (TOTP) sequences through the real reloader, matcher and decisions
// against an in-memory database written as the Users page writes it; the
// firewall records what it is asked to do. The clock is injected.

const SECRET = new TextEncoder().encode("12345678901234567890");
const HOST = "192.0.2.1";
const T0 = 1_700_000_010_000; // 10 s into a window

function rig(db: SesameDb = openDb(":memory:", { migrate: true }), clock = { t: T0 }) {
  const fw = new RecordingFirewall();
  const log = memoryLog();
  const now = () => clock.t;
  const writer = new WriteBehind({ db });
  const health = new Health(now);
  const queue = new FirewallQueue(fw, { writer, health, log, now, retryDelayMs: 1 });
  const warnings = new RowWarnings({ log, writer, now });
  const lists = new TrustedAndProtected({ queue, warnings, log, now });
  const doors = new DoorTable();
  const grants = new GrantLedger();
  const bans = new BanLedger();
  const rotating = new RotatingDoors();
  const matcher = new Matcher([], { now, isLocalAddress: (ip) => ip === HOST });
  const commands = new CommandRunner({ log, writer, now, stopCommandFor: () => undefined, stdio: "ignore" });
  const decisions = new Decisions({
    recognizers: [matcher], doors, oneTime: new OneTimeProgress({ writer, log, knockdConf: new KnockdConfHolder(null) }), rotating, filter: { refresh: () => {} },
    eventLog: new MatchEventLog({ writer, log, now }), grants, bans, queue, writer, commands, trusted: lists, log, now,
  });
  const reloader = new Reloader({ db, decisions, doors, rotating, grants, bans, lists, warnings, queue, writer, log, now, commandFor: () => () => undefined, onChange: () => {} });
  const state = reloader.initial();
  const knock = (src: string, seq: Step[]) => {
    for (const s of seq) {
      const p: KnockPacket = { src, dst: HOST, family: 4, protocol: s.protocol, dport: s.port, flags: s.protocol === "tcp" ? 0x02 : 0 };
      decisions.handlePackets([p], [clock.t * 1000]);
    }
  };
  return {
    db, fw, log, clock, doors, reloader, state, knock,
    settle: async () => { await queue.settle(); writer.flush(); },
    grantsTo: (ip: string) => fw.calls.filter((c) => c.op === "grant" && c.ip === ip),
    rows: (sql: string) => db.$client.prepare(sql).all(),
    stop: () => decisions.stop(),
  };
}

function addUser(db: SesameDb, over: Partial<typeof users.$inferInsert> = {}, cred: Partial<typeof userCredentials.$inferInsert> = {}): number {
  const u = db.insert(users).values({ name: "alice", ports: [{ port: 22, protocol: "tcp" }], grantSec: 60, ...over }).returning().get();
  return db.insert(userCredentials).values({ userId: u.id, kind: "totp", totpSecret: encodeBase32(SECRET), ...cred }).returning().get().id;
}

const seqAt = (t: number, stepOffset = 0) => deriveTotpSequence(totpCodeAt(SECRET, totpStepAt(t) + stepOffset), DEFAULT_TOTP_SETTINGS);

describe("rotating sequences in the worker", () => {
  it("the current window's sequence opens once with the user on the grant; its replay is refused, from anywhere", async () => {
    const db = openDb(":memory:", { migrate: true });
    const credId = addUser(db);
    const r = rig(db);
    expect(r.state.protectedPorts).toEqual([{ port: 22, protocol: "tcp" }]);
    r.knock("198.51.100.7", seqAt(T0));
    await r.settle();
    expect(r.grantsTo("198.51.100.7")).toEqual([{ op: "grant", ip: "198.51.100.7", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 60 }]);
    expect(r.rows("SELECT door_name, user_id, user_name FROM grants")).toEqual([{ door_name: "totp:alice", user_id: 1, user_name: "alice" }]);
    expect(r.rows("SELECT key FROM replay_cache")).toEqual([{ key: `totp:${credId}:${totpStepAt(T0)}` }]);
    expect(r.rows("SELECT last_used_at FROM user_credentials")).toEqual([{ last_used_at: T0 }]);

    r.knock("203.0.113.9", seqAt(T0));
    r.knock("198.51.100.7", seqAt(T0));
    await r.settle();
    expect(r.grantsTo("203.0.113.9")).toEqual([]);
    expect(r.grantsTo("198.51.100.7")).toHaveLength(1);
    expect(r.rows("SELECT kind, ip, user_name FROM events WHERE kind IN ('open', 'replayed') ORDER BY id")).toEqual([
      { kind: "open", ip: "198.51.100.7", user_name: "alice" },
      { kind: "replayed", ip: "203.0.113.9", user_name: "alice" },
      { kind: "replayed", ip: "198.51.100.7", user_name: "alice" },
    ]);
    expect(r.rows("SELECT DISTINCT user_name FROM events WHERE kind = 'stage'")).toEqual([{ user_name: "alice" }]);
    expect(r.log.lines.some((l) => l === "203.0.113.9: totp:alice: refused (replayed): window " + totpStepAt(T0) + " of user alice was already used")).toBe(true);
    r.stop();
  });

  it("the previous and next windows are accepted (clock skew), two steps away is not", async () => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db);
    const r = rig(db);
    r.knock("198.51.100.1", seqAt(T0, -1));
    r.knock("198.51.100.2", seqAt(T0, 1));
    r.knock("198.51.100.3", seqAt(T0, 2));
    r.knock("198.51.100.4", seqAt(T0, -2));
    await r.settle();
    expect([1, 2, 3, 4].map((i) => r.grantsTo(`198.51.100.${i}`).length)).toEqual([1, 1, 0, 0]);
    r.stop();
  });

  it("at the next step the windows move on: the new next window opens, the old previous one no longer does", async () => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db);
    const r = rig(db);
    expect(r.reloader.refreshRotating(r.clock.t)).toBe(false);
    r.clock.t += 30_000;
    expect(r.reloader.refreshRotating(r.clock.t)).toBe(true);
    expect(r.doors.list().filter((d) => d.name === "totp:alice")).toHaveLength(3);
    r.knock("198.51.100.5", seqAt(r.clock.t, 1));
    r.knock("198.51.100.6", seqAt(T0, -1));
    await r.settle();
    expect(r.grantsTo("198.51.100.5")).toHaveLength(1);
    expect(r.grantsTo("198.51.100.6")).toEqual([]);
    r.stop();
  });

  it.each([
    ["a disabled user", { enabled: false }, {}, 3, [{ kind: "user-disabled", detail: "user alice is disabled" }]],
    ["an expired user", { expiresAt: T0 - 1 }, {}, 3, [{ kind: "user-expired", detail: "user alice (or this credential) expired" }]],
    ["a credential past its rotation grace", {}, { expiresAt: T0 - 1 }, 3, [{ kind: "user-expired", detail: "user alice (or this credential) expired" }]],
    ["a credential ended more than 7 days ago", {}, { expiresAt: T0 - 7 * 86_400_000 }, 0, []],
    ["a revoked credential", {}, { revokedAt: T0 - 1 }, 0, []],
  ])("%s opens nothing and is said so (or, long gone, not recognised); the user's port stays protected (not opened to everyone)", async (_n, user, cred, doors, refusals) => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db, user, cred);
    const r = rig(db);
    expect(r.state.protectedPorts).toEqual([{ port: 22, protocol: "tcp" }]);
    expect(r.doors.list()).toHaveLength(doors);
    r.knock("198.51.100.8", seqAt(T0));
    await r.settle();
    expect(r.grantsTo("198.51.100.8")).toEqual([]);
    expect(r.rows("SELECT kind, detail FROM events WHERE kind IN ('open', 'user-disabled', 'user-expired') ORDER BY id")).toEqual(refusals);
    r.stop();
  });

  it("a user who expires mid-window stops at once (refused from the expiry on)", async () => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db, { expiresAt: T0 + 5_000 });
    const r = rig(db);
    expect(r.doors.list()).toHaveLength(3);
    r.clock.t = T0 + 5_000;
    expect(r.reloader.refreshRotating(r.clock.t)).toBe(true);
    r.knock("198.51.100.8", seqAt(r.clock.t));
    await r.settle();
    expect(r.grantsTo("198.51.100.8")).toEqual([]);
    expect(r.rows("SELECT kind FROM events WHERE kind IN ('open', 'user-expired')")).toEqual([{ kind: "user-expired" }]);
    r.stop();
  });

  it("from outside the user's sources: refused and said so", async () => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db, { sources: ["198.51.100.0/24"] });
    const r = rig(db);
    r.knock("203.0.113.1", seqAt(T0));
    r.knock("198.51.100.9", seqAt(T0));
    await r.settle();
    expect(r.grantsTo("203.0.113.1")).toEqual([]);
    expect(r.grantsTo("198.51.100.9")).toHaveLength(1);
    expect(r.rows("SELECT kind, ip FROM events WHERE kind IN ('open', 'source-not-allowed') ORDER BY id")).toEqual([
      { kind: "source-not-allowed", ip: "203.0.113.1" },
      { kind: "open", ip: "198.51.100.9" },
    ]);
    r.stop();
  });

  it("a used window stays used after a restart (the replay cache is read back)", async () => {
    const db = openDb(":memory:", { migrate: true });
    addUser(db);
    const first = rig(db);
    first.knock("198.51.100.10", seqAt(T0));
    await first.settle();
    first.stop();
    const second = rig(db);
    second.knock("203.0.113.10", seqAt(T0));
    await second.settle();
    expect(second.grantsTo("203.0.113.10")).toEqual([]);
    expect(second.rows("SELECT count(*) AS n FROM events WHERE kind = 'replayed'")).toEqual([{ n: 1 }]);
    second.stop();
  });

  it("follows the site's sequence settings; a credential it cannot use is named once and skipped", async () => {
    const db = openDb(":memory:", { migrate: true });
    const custom = { portLow: 20000, portHigh: 20999, length: 5, protocols: "tcp" as const };
    db.insert(settings).values({ key: "totp", value: custom }).run();
    addUser(db);
    addUser(db, { name: "bob" }, { totpSecret: "not base32!" });
    const r = rig(db);
    expect(r.doors.list()).toHaveLength(3);
    expect(r.log.lines.filter((l) => l.includes("is unusable"))).toEqual(['error: user credential 2 is unusable: user bob: the TOTP secret is not base32 ("!" is not a base32 character (A-Z, 2-7)); skipped']);
    const seq = deriveTotpSequence(totpCodeAt(SECRET, totpStepAt(T0)), custom);
    expect(seq.every((s) => s.protocol === "tcp" && s.port >= 20000 && s.port <= 20999)).toBe(true);
    r.knock("198.51.100.11", seq);
    await r.settle();
    expect(r.grantsTo("198.51.100.11")).toHaveLength(1);
    r.stop();
  });
});
