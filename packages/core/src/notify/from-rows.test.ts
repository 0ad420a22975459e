import { describe, expect, it } from "vitest";
import { notifyEventFromAuditRow, notifyEventFromEventRow, type AuditRowLike, type EventRowLike } from "./from-rows";
import { startWorkerWatch, watchWorker, type HeartbeatLike } from "./worker-watch";

const ev = (over: Partial<EventRowLike>): EventRowLike => ({ ts: 1000, ip: "10.0.0.5", doorName: "openSSH", userName: null, kind: "open", detail: null, ...over });
const audit = (over: Partial<AuditRowLike>): AuditRowLike => ({ ts: 2000, actor: "admin", action: "unban", entity: "ban", after: null, ...over });

describe("notifyEventFromEventRow", () => {
  it("an open carries door, user, address, ports and duration", () => {
    const detail = JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 300, refreshed: true });
    expect(notifyEventFromEventRow(ev({ detail, userName: "alice" }))).toEqual({
      kind: "open", at: 1000, ip: "10.0.0.5", door: "openSSH", user: "alice", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300, refreshed: true,
    });
  });
  it("a ban, with or without its length", () => {
    expect(notifyEventFromEventRow(ev({ kind: "ban", doorName: "decoy", detail: '{"durationSec":600}' }))).toEqual({ kind: "ban", at: 1000, ip: "10.0.0.5", door: "decoy", durationSec: 600 });
    expect(notifyEventFromEventRow(ev({ kind: "ban", detail: "garbage" }))).toMatchObject({ kind: "ban", durationSec: null });
  });
  it.each([
    ["a stage", ev({ kind: "stage", detail: "1/3" })],
    ["an open without ports", ev({ detail: '{"ports":[],"durationSec":300}' })],
    ["an open with a bad detail", ev({ detail: "{" })],
    ["an open without an address", ev({ ip: null, detail: '{"ports":[{"port":22,"protocol":"tcp"}],"durationSec":1}' })],
    ["a worker line", ev({ kind: "worker", ip: null, detail: "starting" })],
  ])("%s is not a notification", (_n, row) => {
    expect(notifyEventFromEventRow(row)).toBeNull();
  });
});

describe("notifyEventFromAuditRow", () => {
  it("an unban and a revoke by an admin", () => {
    expect(notifyEventFromAuditRow(audit({ after: { ip: "10.0.0.9", door: "decoy", liftedAt: 5 } }))).toEqual({ kind: "admin", at: 2000, action: "unban", actor: "admin", ip: "10.0.0.9", door: "decoy" });
    expect(notifyEventFromAuditRow(audit({ action: "revoke", entity: "grant", after: JSON.stringify({ ip: "10.0.0.5", door: "openSSH" }) }))).toMatchObject({ kind: "admin", action: "revoke", ip: "10.0.0.5" });
  });
  it("a failed login only when it locked", () => {
    const after = (locked: unknown) => ({ address: "192.0.2.4", throttle: { block: "192.0.2.4", failures: 5, globalFailures: 9, locked } });
    expect(notifyEventFromAuditRow(audit({ actor: "unknown@192.0.2.4", action: "login-failed", entity: "session", after: after(null) }))).toBeNull();
    expect(notifyEventFromAuditRow(audit({ action: "login-failed", entity: "session", after: after({ scope: "client", seconds: 60 }) }))).toEqual({
      kind: "login", at: 2000, address: "192.0.2.4", scope: "client", failures: 5, lockSeconds: 60,
    });
    expect(notifyEventFromAuditRow(audit({ action: "login-failed", entity: "session", after: after({ scope: "global", seconds: 30 }) }))).toMatchObject({ scope: "global", failures: 9 });
  });
  it.each([
    ["a login", audit({ action: "login", entity: "session", after: { address: "x" } })],
    ["a door change", audit({ action: "update", entity: "door", after: { name: "x" } })],
    ["an unban without an address", audit({ after: { door: "x" } })],
    ["an extend", audit({ action: "extend", entity: "grant", after: { ip: "10.0.0.5" } })],
  ])("%s is not a notification", (_n, row) => {
    expect(notifyEventFromAuditRow(row)).toBeNull();
  });
});

describe("watchWorker", () => {
  const OFF = 15_000;
  const hb = (heartbeatAt: number, lastErrorAt: number | null = null, lastError: string | null = null): HeartbeatLike => ({ heartbeatAt, lastError, lastErrorAt });

  it("up, then down once, then back once", () => {
    let w = startWorkerWatch(hb(0), 0);
    const seen: string[] = [];
    for (const [now, beat] of [[1000, 900], [10_000, 9_900], [20_000, 9_900], [30_000, 9_900], [40_000, 39_900], [41_000, 40_900]] as const) {
      const r = watchWorker(w, hb(beat), now, OFF);
      w = r.watch;
      seen.push(...r.events.map((e) => (e.kind === "worker" ? e.state : e.kind)));
    }
    expect(seen).toEqual(["down", "back"]);
  });

  it("a stale heartbeat at start-up is news only after the notifier has waited as long itself", () => {
    let w = startWorkerWatch(hb(0), 100_000);
    expect(watchWorker(w, hb(0), 105_000, OFF).events).toEqual([]);
    w = watchWorker(w, hb(0), 105_000, OFF).watch;
    expect(watchWorker(w, hb(0), 115_000, OFF).events.map((e) => e.kind === "worker" && e.state)).toEqual(["down"]);
    // …unless the worker starts in the meantime.
    w = startWorkerWatch(hb(0), 100_000);
    w = watchWorker(w, hb(104_000), 105_000, OFF).watch;
    expect(watchWorker(w, hb(114_000), 115_000, OFF).events).toEqual([]);
  });

  it("a never-started worker is not down", () => {
    const w = startWorkerWatch(undefined, 0);
    expect(watchWorker(w, undefined, 100_000, OFF).events).toEqual([]);
  });

  it("a new lastError is reported once; the one there at start-up is not", () => {
    let w = startWorkerWatch(hb(0, 500, "old"), 1000);
    let r = watchWorker(w, hb(1000, 500, "old"), 1000, OFF);
    expect(r.events).toEqual([]);
    w = r.watch;
    r = watchWorker(w, hb(2000, 1800, "nft: Operation not permitted"), 2000, OFF);
    expect(r.events).toEqual([{ kind: "worker", at: 1800, state: "error", detail: "nft: Operation not permitted" }]);
    expect(watchWorker(r.watch, hb(3000, 1800, "nft: Operation not permitted"), 3000, OFF).events).toEqual([]);
  });
});
