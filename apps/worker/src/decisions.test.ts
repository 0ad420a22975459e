import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Matcher, type Door, type DoorAction, type KnockPacket } from "@sesame/core";
import { openDb, type SesameDb } from "@sesame/db";
import { CommandRunner } from "./commands";
import { Decisions } from "./decisions";
import { DoorTable, type DoorInfo } from "./door-table";
import { FirewallQueue } from "./firewall-queue";
import { Health } from "./health";
import { KnockdConfHolder } from "./knockd-conf-file";
import { BanLedger, GrantLedger } from "./ledger";
import { MatchEventLog } from "./match-event-log";
import { OneTimeProgress } from "./one-time-progress";
import { WriteBehind } from "./write-behind";
import { RotatingDoors } from "./rotating-doors";
import { RecordingFirewall, memoryLog } from "./test-support";

const HOST = "10.0.0.1";

function door(id: number, name: string, seq: string, action: DoorAction, over: Partial<Door> = {}): DoorInfo {
  const sequence = seq.split(",").map((s) => {
    const [p, proto] = s.split(":");
    return { port: Number(p), protocol: (proto ?? "tcp") as "tcp" | "udp" };
  });
  return {
    door: { id: String(id), name, sequence, seqTimeoutMs: 5000, tcpFlags: { set: [], clear: [] }, action, cooldownMs: 0, tolerateDuplicates: false, enabled: true, ...over },
    rowId: id,
    source: "ui",
    section: null,
  };
}

const pkt = (src: string, port: number, protocol: "tcp" | "udp" = "tcp", family: 4 | 6 = 4, dst = HOST): KnockPacket => ({ src, dst, family, protocol, dport: port, flags: protocol === "tcp" ? 0x02 : 0 });

interface Rig {
  db: SesameDb;
  fw: RecordingFirewall;
  decisions: Decisions;
  matcher: Matcher;
  grants: GrantLedger;
  queue: FirewallQueue;
  eventLog: MatchEventLog;
  writer: WriteBehind;
  health: Health;
  log: ReturnType<typeof memoryLog>;
  trusted: Set<string>;
  /** One packet, captured at `tsUs` (default: now). */
  packet(p: KnockPacket, tsUs?: number): void;
  knock(src: string, seq: string, family?: 4 | 6): void;
  settle(): Promise<void>;
  rows(sql: string): unknown[];
}

function rig(doors: DoorInfo[], opts: { ipv4Only?: boolean; stage1PerSecond?: number } = {}): Rig {
  const db = openDb(":memory:", { migrate: true });
  // Rows the grants/bans reference (foreign keys).
  for (const d of doors) db.$client.prepare("INSERT INTO doors (id, name, sequence, action) VALUES (?, ?, '[]', 'open')").run(d.rowId, d.door.name);
  const fw = new RecordingFirewall();
  const log = memoryLog();
  const now = Date.now;
  const health = new Health(now);
  const writer = new WriteBehind({ db });
  const commands = new CommandRunner({ log, writer, now, stopCommandFor: () => undefined, stdio: "ignore" });
  const trusted = new Set<string>();
  const local = new Set([HOST, "fd00::1"]);
  const matcher = new Matcher([], { now, isLocalAddress: (ip) => local.has(ip) });
  const queue = new FirewallQueue(fw, { writer, health, log, now, retryDelayMs: 1 });
  const grants = new GrantLedger();
  const eventLog = new MatchEventLog({ writer, log, now, stage1PerSecond: opts.stage1PerSecond });
  const decisions = new Decisions({
    recognizers: [matcher], doors: new DoorTable(), oneTime: new OneTimeProgress({ writer, log, knockdConf: new KnockdConfHolder(null) }), rotating: new RotatingDoors(), filter: { refresh: () => {} },
    eventLog, grants, bans: new BanLedger(), queue, writer, commands, trusted: { isTrusted: (ip) => trusted.has(ip) }, log, now, ipv4Only: opts.ipv4Only,
  });
  decisions.setDoors(doors);
  const packet = (p: KnockPacket, tsUs = now() * 1000) => decisions.handlePackets([p], [tsUs]);
  return {
    db, fw, decisions, matcher, grants, queue, eventLog, writer, health, log, trusted, packet,
    knock(src, seq, family = 4) {
      for (const s of seq.split(",")) {
        const [p, proto] = s.split(":");
        packet(pkt(src, Number(p), (proto ?? "tcp") as "tcp" | "udp", family, family === 6 ? "fd00::1" : HOST));
      }
    },
    async settle() {
      await queue.settle();
      writer.flush();
    },
    rows: (sql) => db.$client.prepare(sql).all(),
  };
}

const SSH = door(1, "ssh", "7000,8000:udp,9000", { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 });
const WEB = door(2, "web", "7100,7200", { kind: "open", ports: [{ port: 22, protocol: "tcp" }, { port: 443, protocol: "tcp" }], durationSec: 60 });
const CLOSE_ALL = door(3, "close-all", "7300,7400", { kind: "close" });
const CLOSE_WEB = door(4, "close-web", "7500,7600", { kind: "close", doorName: "web" });
const DECOY = door(5, "decoy", "7700,7800", { kind: "ban", durationSec: 600 });
const ALL = [SSH, WEB, CLOSE_ALL, CLOSE_WEB, DECOY];

describe("Decisions (recognizers → decisions → firewall queue)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("grants on a completed sequence: firewall first, then rows, events and knockd's log lines", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    await r.settle();
    expect(r.fw.calls).toEqual([{ op: "grant", ip: "192.0.2.7", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 300 }]);
    expect(r.log.lines.filter((l) => !l.startsWith("debug"))).toEqual([
      "192.0.2.7: ssh: Stage 1",
      "192.0.2.7: ssh: Stage 2",
      "192.0.2.7: ssh: Stage 3",
      "192.0.2.7: ssh: OPEN SESAME",
      "192.0.2.7: ssh: access granted: tcp/22 for 300 s",
    ]);
    expect(r.rows("SELECT ip, door_id, door_name, expires_at - opened_at AS len, applied_expires_at = expires_at AS applied, closed_at FROM grants")).toEqual([
      { ip: "192.0.2.7", door_id: 1, door_name: "ssh", len: 300_000, applied: 1, closed_at: null },
    ]);
    expect(r.rows("SELECT kind, stage FROM events ORDER BY id")).toEqual([
      { kind: "stage", stage: 1 },
      { kind: "stage", stage: 2 },
      { kind: "stage", stage: 3 },
      { kind: "open", stage: null },
    ]);
  });

  it("refreshes an open grant instead of stacking a second one", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    await r.settle();
    vi.advanceTimersByTime(10_000);
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    await r.settle();
    expect(r.fw.calls.map((c) => c.op)).toEqual(["grant", "grant"]);
    expect(r.rows("SELECT count(*) AS n, max(expires_at) - min(opened_at) AS span FROM grants")).toEqual([{ n: 1, span: 310_000 }]);
    expect(r.log.lines).toContain("192.0.2.7: ssh: access refreshed: tcp/22 for 300 s");
  });

  it("a close sequence revokes all of the address's grants", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    r.knock("192.0.2.7", "7100,7200");
    r.knock("192.0.2.8", "7100,7200");
    r.knock("192.0.2.7", "7300,7400");
    await r.settle();
    expect(r.fw.calls.slice(3)).toEqual([{ op: "revoke", ip: "192.0.2.7" }]);
    expect(r.rows("SELECT ip, door_name, closed_reason FROM grants ORDER BY id")).toEqual([
      { ip: "192.0.2.7", door_name: "ssh", closed_reason: "close-sequence" },
      { ip: "192.0.2.7", door_name: "web", closed_reason: "close-sequence" },
      { ip: "192.0.2.8", door_name: "web", closed_reason: null },
    ]);
    expect(r.grants.of("192.0.2.7")).toEqual([]);
  });

  it("a close door limited to one door revokes its ports and re-grants what another door still grants", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    r.knock("192.0.2.7", "7100,7200");
    vi.advanceTimersByTime(1000);
    r.knock("192.0.2.7", "7500,7600");
    await r.settle();
    expect(r.fw.calls.slice(2)).toEqual([
      { op: "revoke", ip: "192.0.2.7", ports: [{ port: 22, protocol: "tcp" }, { port: 443, protocol: "tcp" }] },
      { op: "grant", ip: "192.0.2.7", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 299 },
    ]);
    expect(r.rows("SELECT door_name, closed_reason FROM grants ORDER BY id")).toEqual([
      { door_name: "ssh", closed_reason: null },
      { door_name: "web", closed_reason: "close-sequence" },
    ]);
  });

  it("a decoy bans (closing what the address had open); a banned address is not granted", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.9", "7000,8000:udp,9000");
    r.knock("192.0.2.9", "7700,7800");
    r.knock("192.0.2.9", "7100,7200");
    await r.settle();
    expect(r.fw.calls.map((c) => c.op)).toEqual(["grant", "ban", "revoke"]);
    expect(r.fw.calls[1]).toEqual({ op: "ban", ip: "192.0.2.9", ttlSec: 600 });
    expect(r.log.lines).toContain("192.0.2.9: web: address is banned; not opened");
    expect(r.rows("SELECT closed_reason FROM grants")).toEqual([{ closed_reason: "banned" }]);
    expect(r.rows("SELECT ip, door_name, expires_at - created_at AS len, lifted_at FROM bans")).toEqual([{ ip: "192.0.2.9", door_name: "decoy", len: 600_000, lifted_at: null }]);
    expect(r.rows("SELECT kind FROM events WHERE kind NOT IN ('stage') ORDER BY id").map((x) => (x as { kind: string }).kind)).toEqual(["open", "ban", "ignored-banned"]);
  });

  it("never bans a trusted address", async () => {
    const r = rig(ALL);
    r.trusted.add("192.0.2.50");
    r.knock("192.0.2.50", "7700,7800");
    await r.settle();
    expect(r.fw.calls).toEqual([]);
    expect(r.rows("SELECT kind FROM events WHERE kind <> 'stage'")).toEqual([{ kind: "trusted-skip" }]);
  });

  it("fires sequence timeouts from a timer, without any further packet", async () => {
    const r = rig(ALL);
    r.knock("192.0.2.7", "7000");
    vi.advanceTimersByTime(4999);
    expect(r.log.lines).not.toContain("192.0.2.7: ssh: sequence timeout (stage 1)");
    vi.advanceTimersByTime(1);
    expect(r.log.lines).toContain("192.0.2.7: ssh: sequence timeout (stage 1)");
    await r.settle();
    expect(r.rows("SELECT kind, stage FROM events ORDER BY id")).toEqual([{ kind: "stage", stage: 1 }, { kind: "timeout", stage: 1 }]);
  });

  it("logs, records and retries a failed firewall call once", async () => {
    const r = rig(ALL);
    r.fw.failures.grant = 1;
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    await vi.advanceTimersByTimeAsync(10);
    await r.settle();
    expect(r.fw.calls.map((c) => c.op)).toEqual(["grant", "grant"]);
    expect(r.log.lines.filter((l) => l.startsWith("error"))).toEqual(["error: firewall: grant tcp/22 to 192.0.2.7 failed (retrying once): grant refused (test)"]);
    expect(r.log.lines).toContain("firewall: grant tcp/22 to 192.0.2.7: retry succeeded");
    expect(r.health.current()?.msg).toMatch(/grant tcp\/22 to 192\.0\.2\.7 failed/);
    expect(r.rows("SELECT kind, ip FROM events WHERE kind = 'error'")).toEqual([{ kind: "error", ip: "192.0.2.7" }]);

    r.fw.failures.grant = 2;
    r.knock("192.0.2.8", "7000,8000:udp,9000");
    await vi.advanceTimersByTimeAsync(10);
    await r.settle();
    expect(r.log.lines.filter((l) => l.includes("giving up"))).toHaveLength(1);
    expect(r.queue.stats().firewallErrors).toBe(3);
  });

  it("-4 ignores IPv6 packets; otherwise IPv6 knocks open", async () => {
    const v4only = rig(ALL, { ipv4Only: true });
    v4only.knock("fd00::7", "7000,8000:udp,9000", 6);
    await v4only.settle();
    expect(v4only.fw.calls).toEqual([]);
    expect(v4only.decisions.stats().ipv6Ignored).toBe(3);
    const both = rig(ALL);
    both.knock("fd00::7", "7000,8000:udp,9000", 6);
    await both.settle();
    expect(both.fw.calls).toEqual([{ op: "grant", ip: "fd00::7", ports: [{ port: 22, protocol: "tcp" }], ttlSec: 300 }]);
  });

  it("a batch of packets (one capture read) acts as the same packets one at a time", async () => {
    // Interleaved knocks of three sources (one IPv6, dropped under -4), a wrong port, a decoy.
    const seq: KnockPacket[] = [
      pkt("192.0.2.1", 7000), pkt("fd00::9", 7000, "tcp", 6, "fd00::1"), pkt("192.0.2.2", 7700), pkt("192.0.2.1", 8000, "udp"),
      pkt("192.0.2.3", 7000), pkt("192.0.2.2", 7800), pkt("192.0.2.3", 1234), pkt("192.0.2.1", 9000), pkt("fd00::9", 8000, "udp", 6, "fd00::1"),
    ];
    // capture times 1 ms apart, so a packet paired with another's time shows in the latency stats
    const ts = seq.map((_, i) => (Date.now() - 50 + i) * 1000);
    for (const ipv4Only of [false, true]) {
      const one = rig(ALL, { ipv4Only });
      seq.forEach((p, i) => one.packet(p, ts[i]));
      const batch = rig(ALL, { ipv4Only });
      batch.decisions.handlePackets(seq, ts);
      await one.settle();
      await batch.settle();
      expect(batch.fw.calls).toEqual(one.fw.calls);
      expect(batch.fw.calls.map((c) => `${c.op} ${"ip" in c ? c.ip : ""}`)).toEqual(["ban 192.0.2.2", "grant 192.0.2.1"]);
      const events = "SELECT kind, ip, door_name, stage FROM events ORDER BY id";
      expect(batch.rows(events)).toEqual(one.rows(events));
      expect(batch.decisions.stats()).toEqual(one.decisions.stats());
      expect(batch.decisions.stats().lastOpenLatencyMs).toBeGreaterThan(0);
      expect(batch.matcher.stats()).toEqual(one.matcher.stats());
    }
  });

  it("caps stage-1 records per second during a flood, never the opens", async () => {
    const r = rig(ALL, { stage1PerSecond: 100 });
    for (let i = 0; i < 1000; i++) r.packet(pkt(`198.51.${i >> 8}.${i & 255}`, 7000));
    r.knock("192.0.2.7", "7000,8000:udp,9000");
    await r.settle();
    expect(r.rows("SELECT count(*) AS n FROM events WHERE kind = 'stage' AND stage = 1")).toEqual([{ n: 100 }]);
    r.eventLog.reportSuppressed(Date.now());
    expect(r.log.lines).toContain("suppressed 901 stage-1 lines in the last second (knock flood?)");
    expect(r.rows("SELECT kind, ip FROM events WHERE kind = 'open'")).toEqual([{ kind: "open", ip: "192.0.2.7" }]);
    expect(r.matcher.stats().pending).toBe(1000);
  });

  it("caps stage-1 timeout records too, never later-stage timeouts", async () => {
    const r = rig(ALL, { stage1PerSecond: 100 });
    for (let i = 0; i < 1000; i++) r.packet(pkt(`198.51.${i >> 8}.${i & 255}`, 7000));
    r.knock("192.0.2.7", "7000,8000:udp");
    vi.advanceTimersByTime(5000);
    await r.settle();
    expect(r.rows("SELECT count(*) AS n FROM events WHERE kind = 'timeout' AND stage = 1")).toEqual([{ n: 100 }]);
    expect(r.rows("SELECT ip FROM events WHERE kind = 'timeout' AND stage = 2")).toEqual([{ ip: "192.0.2.7" }]);
    r.eventLog.reportSuppressed(Date.now());
    expect(r.log.lines).toContain("suppressed 900 stage-1 timeouts in the last second (knock flood?)");
    expect(r.matcher.stats().pending).toBe(0);
  });

  it("ignores knocks addressed to someone else", async () => {
    const r = rig(ALL);
    for (const p of [7000, 8000, 9000]) r.packet(pkt("192.0.2.7", p, p === 8000 ? "udp" : "tcp", 4, "10.9.9.9"));
    await r.settle();
    expect(r.fw.calls).toEqual([]);
  });
});
