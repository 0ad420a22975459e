import { FWKNOP_PACKETS } from "@sesame/testkit/fixtures";
import { openDb, replayCache, userCredentials, users, events } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { BanLedger, GrantLedger } from "./ledger";
import { FirewallQueue } from "./firewall-queue";
import { Health } from "./health";
import { SpaActions } from "./spa-actions";
import { loadSpaUsers } from "./spa-load";
import { ReplayCache } from "./spa-replay";
import { SpaVerifier } from "./spa-verifier";
import { RecordingFirewall, memoryLog } from "./test-support";
import { WriteBehind } from "./write-behind";

// The worker's SPA stages on a real migrated database and a recording
// firewall: users loaded as the UI stores them, the verifier with its replay
// cache, the actions (grant with the user, events, junk capped).

const f = FWKNOP_PACKETS[0]!;
const T = f.timestamp * 1000;

function setup() {
  const db = openDb(":memory:", { migrate: true });
  const u = db.insert(users).values({ name: "alice", ports: [{ port: 22, protocol: "tcp" }], maxGrantSec: 45, grantSec: 20 }).returning({ id: users.id }).get();
  db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: f.keyBase64, spaHmacKey: f.hmacKeyBase64, spaHmacDigest: "sha256" }).run();
  let now = T;
  const clock = () => now;
  const writer = new WriteBehind({ db });
  const replay = new ReplayCache({ writer, now: clock });
  const verifier = new SpaVerifier({ replay, now: clock });
  const log = memoryLog();
  const fw = new RecordingFirewall();
  const queue = new FirewallQueue(fw, { writer, health: new Health(clock), log, now: clock });
  const grants = new GrantLedger();
  const actions = new SpaActions({ queue, grants, bans: new BanLedger(), writer, log, now: clock, junkRowsPerSecond: 3 });
  const warned: string[] = [];
  verifier.setUsers(loadSpaUsers(db, (_k, m) => warned.push(m)), 62201);
  const send = (payload: string, src = "10.0.0.2") => {
    const [evs] = verifier.handleBatch([{ src, dst: "10.0.0.1", family: 4, protocol: "udp", dport: 62201, flags: 0, payload }]);
    for (const ev of evs!) if (ev.kind === "spa") actions.handle(ev, undefined);
    return evs![0];
  };
  return { db, writer, replay, verifier, fw, grants, actions, log, warned, send, setNow: (t: number) => (now = t) };
}

describe("SPA in the worker", () => {
  it("a user from the database opens once; the same datagram again is a replay; the digest is persisted and reloaded", async () => {
    const s = setup();
    expect(s.warned).toEqual([]);
    expect(s.verifier.userPorts()).toEqual([{ port: 22, protocol: "tcp" }]);
    expect(s.send(f.packet)).toMatchObject({ kind: "spa", outcome: "opened", user: { name: "alice" }, seconds: 45, allowIp: "10.0.0.2" });
    expect(s.send(f.packet)).toMatchObject({ outcome: "replayed" });
    await s.writer.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.fw.calls).toContainEqual({ op: "grant", ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 45 });
    expect(s.grants.get("10.0.0.2", "SPA", "alice")).toMatchObject({ userId: 1, userName: "alice" });
    const rows = s.db.select().from(replayCache).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expiresAt).toBe((f.timestamp + 121) * 1000);
    const grantRow = s.db.$client.prepare("SELECT door_name, user_id, user_name, ports FROM grants").get();
    expect(grantRow).toMatchObject({ door_name: "SPA", user_id: 1, user_name: "alice" });
    const ev = s.db.select().from(events).all().map((e) => [e.kind, e.userName, e.doorName]);
    expect(ev).toEqual([["open", "alice", "SPA"], ["spa", "alice", "SPA"]]);
    // A restarted worker: a fresh cache loaded from the table still knows the digest, until its window ends.
    const again = new ReplayCache({ writer: s.writer, now: () => T });
    expect(again.load(s.db)).toBe(1);
    const later = new ReplayCache({ writer: s.writer, now: () => (f.timestamp + 122) * 1000 });
    expect(later.load(s.db)).toBe(0);
  });

  it("the replay cache is pruned when the window ends (memory and table)", async () => {
    const s = setup();
    s.send(f.packet);
    expect(s.replay.size).toBe(1);
    s.setNow((f.timestamp + 121) * 1000);
    s.replay.prune((f.timestamp + 121) * 1000);
    await s.writer.flush();
    expect(s.replay.size).toBe(0);
    expect(s.db.select().from(replayCache).all()).toEqual([]);
  });

  it("without digest persistence (fwknopd.conf ENABLE_DIGEST_PERSISTENCE N) replays are still refused while running, nothing is written", async () => {
    const s = setup();
    const mem = new ReplayCache({ writer: s.writer, now: () => T, persist: false });
    mem.add("spa:x", T + 1000);
    expect(mem.has("spa:x")).toBe(true);
    await s.writer.flush();
    expect(s.db.select().from(replayCache).all()).toEqual([]);
    expect(mem.load(s.db)).toBe(0);
  });

  it("junk (no user authenticated) writes a few rows a second, then one counted row per outcome; nothing enters the replay cache", async () => {
    const s = setup();
    for (let i = 0; i < 50; i++) s.send("A".repeat(200) + String(i).padStart(4, "0"));
    for (let i = 0; i < 4; i++) s.send("short", `10.0.0.${i + 3}`);
    expect(s.replay.size).toBe(0);
    s.actions.reportSuppressed(T);
    await s.writer.flush();
    const rows = s.db.select().from(events).all();
    expect(rows.filter((r) => r.kind === "worker")).toEqual([]);
    const spa = rows.filter((r) => r.kind === "spa").map((r) => ({ ip: r.ip, userName: r.userName, ...(JSON.parse(r.detail!) as object) }));
    expect(spa).toEqual([
      ...[0, 1, 2].map(() => ({ ip: "10.0.0.2", userName: null, outcome: "bad-hmac", reason: "Non-corresponding HMAC for every user" })),
      { ip: "10.0.0.2", userName: null, outcome: "bad-hmac", count: 47, reason: "Non-corresponding HMAC for every user" },
      { ip: null, userName: null, outcome: "malformed", count: 4, reason: "bad SPA data length" },
    ]);
    expect(s.log.lines).toContain("suppressed 51 unauthenticated or replayed SPA packets in the last second (bad-hmac 47, malformed 4)");
    // Nothing left over: a quiet second writes nothing.
    s.actions.reportSuppressed(T + 1000);
    await s.writer.flush();
    expect(s.db.select().from(events).all()).toHaveLength(rows.length);
  });

  it("replays carry the user whose packet was captured, and are capped like junk", async () => {
    const s = setup();
    s.send(f.packet);
    for (let i = 0; i < 10; i++) s.send(f.packet, "198.51.100.9");
    s.actions.reportSuppressed(T);
    await s.writer.flush();
    const spa = s.db.select().from(events).all().filter((r) => r.kind === "spa").map((r) => [r.ip, r.userName, JSON.parse(r.detail!).outcome, JSON.parse(r.detail!).count]);
    expect(spa).toEqual([
      ["198.51.100.9", "alice", "replayed", undefined],
      ["198.51.100.9", "alice", "replayed", undefined],
      ["198.51.100.9", "alice", "replayed", undefined],
      ["198.51.100.9", "alice", "replayed", 7],
    ]);
    expect(s.log.lines).toContain("suppressed 7 unauthenticated or replayed SPA packets in the last second (replayed of alice 7)");
  });

  it("a grant never outlasts the kernel sets' ceiling (MAX_GRANT_SEC), whatever the user's maximum", async () => {
    const g = FWKNOP_PACKETS.find((x) => x.name === "hmac-md5")!;
    const db = openDb(":memory:", { migrate: true });
    const u = db.insert(users).values({ name: "night", ports: [{ port: 22, protocol: "tcp" }], maxGrantSec: 10_000_000, grantSec: 5_000_000 }).returning({ id: users.id }).get();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: g.keyBase64, spaHmacKey: g.hmacKeyBase64, spaHmacDigest: "md5" }).run();
    const now = () => g.timestamp * 1000;
    const writer = new WriteBehind({ db });
    const verifier = new SpaVerifier({ replay: new ReplayCache({ writer, now }), now });
    verifier.setUsers(loadSpaUsers(db, () => {}), 62201);
    const fw = new RecordingFirewall();
    const log = memoryLog();
    const actions = new SpaActions({ queue: new FirewallQueue(fw, { writer, health: new Health(now), log, now }), grants: new GrantLedger(), bans: new BanLedger(), writer, log, now });
    const [evs] = verifier.handleBatch([{ src: "10.0.0.2", dst: "10.0.0.1", family: 4, protocol: "udp", dport: 62201, flags: 0, payload: g.packet }]);
    actions.handle(evs![0] as Parameters<SpaActions["handle"]>[0], undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(fw.calls).toContainEqual({ op: "grant", ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 86_400 });
  });

  it("loadSpaUsers names and skips what it cannot use", () => {
    const db = openDb(":memory:", { migrate: true });
    const u = db.insert(users).values({ name: "bob", ports: [{ port: 22, protocol: "tcp" }] }).returning({ id: users.id }).get();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: "not base64!", spaHmacKey: f.hmacKeyBase64 }).run();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: f.keyBase64, spaHmacKey: null }).run();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: f.keyBase64, spaHmacKey: null, spaLegacyNoHmac: true }).run();
    db.insert(userCredentials).values({ userId: u.id, kind: "totp", totpSecret: "JBSWY3DPEHPK3PXP" }).run();
    const warned: string[] = [];
    const loaded = loadSpaUsers(db, (_k, m) => warned.push(m));
    expect(warned).toEqual([
      "database: user_credentials row 1: spa_key is not a base64 key of 1 to 32 bytes; credential skipped",
      "database: user_credentials row 2: no HMAC key (and not set to legacy mode); credential skipped",
    ]);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.credentials.map((c) => [c.id, c.legacyNoHmac])).toEqual([[3, true]]);
  });
});
