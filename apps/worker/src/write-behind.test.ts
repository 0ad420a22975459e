import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, type SesameDb } from "@sesame/db";
import { WriteBehind, isBusyError } from "./write-behind";

const dirs: string[] = [];
const dbs: SesameDb[] = [];
function tempDb(busyTimeoutMs = 5): { path: string; db: SesameDb } {
  const dir = mkdtempSync(join(tmpdir(), "sesame-writer-"));
  dirs.push(dir);
  const path = join(dir, "s.db");
  const db = openDb(path, { migrate: true, busyTimeoutMs });
  dbs.push(db);
  return { path, db };
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const count = (db: SesameDb, where = "1=1"): number => (db.$client.prepare(`SELECT count(*) AS n FROM events WHERE ${where}`).get() as { n: number }).n;

describe("WriteBehind", () => {
  it("writes queued events and ops in one transaction, ops first in order", () => {
    const db = openDb(":memory:", { migrate: true });
    dbs.push(db);
    const w = new WriteBehind({ db });
    w.op({ describe: "setting", run: (d) => d.$client.prepare("INSERT INTO settings (key, value) VALUES ('a', '1')").run() });
    w.event({ ts: 1, kind: "open", ip: "10.0.0.1", doorName: "ssh" });
    w.event({ ts: 2, kind: "stage", ip: "10.0.0.1", doorName: "ssh", stage: 1 });
    expect(w.pending).toBe(3);
    expect(w.flush()).toBe(true);
    expect(w.pending).toBe(0);
    expect(count(db)).toBe(2);
    expect(db.$client.prepare("SELECT value FROM settings WHERE key='a'").get()).toEqual({ value: "1" });
    expect(w.stats()).toMatchObject({ eventsWritten: 2, opsApplied: 1 });
  });

  it("keeps everything while another connection holds the write lock, then writes it all", () => {
    const { path, db } = tempDb(5);
    const other = openDb(path, {});
    dbs.push(other);
    const w = new WriteBehind({ db });
    other.$client.exec("BEGIN IMMEDIATE");
    for (let i = 0; i < 50; i++) w.event({ ts: i, kind: i % 2 ? "open" : "ban", ip: `10.0.0.${i}` });
    w.op({ describe: "x", run: (d) => d.$client.prepare("INSERT INTO settings (key, value) VALUES ('x', '2')").run() });
    expect(w.flush()).toBe(false);
    expect(w.flush()).toBe(false);
    expect(w.stats().busyRetries).toBe(2);
    expect(w.pending).toBe(51);
    expect(w.blockedFor).not.toBeNull();
    other.$client.exec("COMMIT");
    expect(w.flush()).toBe(true);
    expect(count(db, "kind IN ('open','ban')")).toBe(50);
    expect(w.blockedFor).toBeNull();
  });

  it("drops routine rows past their bound but never critical ones below theirs", () => {
    const db = openDb(":memory:", { migrate: true });
    dbs.push(db);
    const errors: string[] = [];
    const w = new WriteBehind({ db, maxRoutine: 10, maxCritical: 20, onError: (m) => errors.push(m) });
    for (let i = 0; i < 30; i++) w.event({ ts: i, kind: "stage", stage: 1, ip: "10.0.0.9" });
    for (let i = 0; i < 20; i++) w.event({ ts: i, kind: "open", ip: "10.0.0.9" });
    expect(w.stats().eventsDropped).toBe(20);
    expect(errors).toEqual([]);
    w.event({ ts: 99, kind: "ban", ip: "10.0.0.9" });
    expect(w.stats().criticalDropped).toBe(1);
    expect(errors[0]).toMatch(/dropped ban event for 10\.0\.0\.9/);
    w.flush();
    expect(count(db, "kind='stage'")).toBe(10);
    expect(count(db, "kind='open'")).toBe(20);
  });

  it("keeps arrival order across routine and critical events", () => {
    const db = openDb(":memory:", { migrate: true });
    dbs.push(db);
    const w = new WriteBehind({ db });
    const kinds = ["stage", "stage", "open", "stage", "timeout", "invalid", "ban"] as const;
    kinds.forEach((kind, i) => w.event({ ts: 5, kind, stage: i }));
    w.flush();
    expect(db.$client.prepare("SELECT kind FROM events ORDER BY id").all().map((r) => (r as { kind: string }).kind)).toEqual([...kinds]);
  });

  it("skips an op that fails for a non-lock reason and reports it", () => {
    const db = openDb(":memory:", { migrate: true });
    dbs.push(db);
    const errors: string[] = [];
    const w = new WriteBehind({ db, onError: (m) => errors.push(m) });
    w.op({ describe: "bad", run: (d) => d.$client.prepare("INSERT INTO nope VALUES (1)").run() });
    w.event({ ts: 1, kind: "error", detail: "x" });
    expect(w.flush()).toBe(true);
    expect(errors[0]).toMatch(/"bad" failed/);
    expect(w.stats().opsFailed).toBe(1);
    expect(count(db)).toBe(1);
  });

  it("sustains well over 20k events per second", () => {
    const { db } = tempDb();
    const w = new WriteBehind({ db, sliceMs: 60_000 });
    const n = 100_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) w.event({ ts: i, kind: i % 10 ? "stage" : "timeout", ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, doorName: "ssh", doorId: 1, stage: 1 });
    expect(w.flush()).toBe(true);
    const secs = (performance.now() - t0) / 1000;
    expect(count(db)).toBe(n);
    expect(n / secs).toBeGreaterThan(20_000);
  });

  it("recognises busy errors", () => {
    expect(isBusyError(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBe(true);
    expect(isBusyError(Object.assign(new Error("x"), { code: "SQLITE_BUSY_SNAPSHOT" }))).toBe(true);
    expect(isBusyError(Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT" }))).toBe(false);
    expect(isBusyError(null)).toBe(false);
  });
});
