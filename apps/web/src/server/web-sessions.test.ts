import { openDb } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { createWebSession, findActiveWebSession, pruneWebSessions, revokeAllWebSessions, revokeWebSession } from "./web-sessions";

const HOUR = 3_600_000;
const fresh = () => openDb(":memory:", { migrate: true });

describe("web sessions (server-side revocation)", () => {
  it("a session is active until it expires", () => {
    const db = fresh();
    const s = createWebSession(db, { user: "admin", clientAddress: "10.0.0.5", ttlMs: 12 * HOUR, now: 1000 });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(findActiveWebSession(db, s.id, 1000 + 12 * HOUR - 1)?.clientAddress).toBe("10.0.0.5");
    expect(findActiveWebSession(db, s.id, 1000 + 12 * HOUR)).toBeNull();
    expect(findActiveWebSession(db, "not-an-id", 2000)).toBeNull();
    expect(findActiveWebSession(db, "", 2000)).toBeNull();
  });

  it("logout revokes that session only, once", () => {
    const db = fresh();
    const a = createWebSession(db, { user: "admin", clientAddress: "10.0.0.5", ttlMs: HOUR, now: 0 });
    const b = createWebSession(db, { user: "admin", clientAddress: "10.0.0.6", ttlMs: HOUR, now: 0 });
    expect(revokeWebSession(db, a.id, "logout", 10)).toBe(true);
    expect(revokeWebSession(db, a.id, "logout", 20)).toBe(false);
    expect(findActiveWebSession(db, a.id, 30)).toBeNull();
    expect(findActiveWebSession(db, b.id, 30)).not.toBeNull();
  });

  it("a password change revokes every open session", () => {
    const db = fresh();
    const ids = [1, 2, 3].map((i) => createWebSession(db, { user: "admin", clientAddress: `10.0.0.${i}`, ttlMs: HOUR, now: 0 }).id);
    revokeWebSession(db, ids[0]!, "logout", 5);
    expect(revokeAllWebSessions(db, "password-change", 10)).toBe(2);
    for (const id of ids) expect(findActiveWebSession(db, id, 11)).toBeNull();
    const reasons = db.$client.prepare("SELECT revoked_reason AS r FROM web_sessions ORDER BY revoked_at").all();
    expect(reasons).toEqual([{ r: "logout" }, { r: "password-change" }, { r: "password-change" }]);
  });

  it("prunes sessions a day after they ended, keeps open ones", () => {
    const db = fresh();
    createWebSession(db, { user: "admin", clientAddress: "a", ttlMs: HOUR, now: 0 });
    const revoked = createWebSession(db, { user: "admin", clientAddress: "b", ttlMs: 48 * HOUR, now: 0 });
    const open = createWebSession(db, { user: "admin", clientAddress: "c", ttlMs: 48 * HOUR, now: 0 });
    revokeWebSession(db, revoked.id, "logout", HOUR);
    expect(pruneWebSessions(db, 26 * HOUR)).toBe(2);
    expect(findActiveWebSession(db, open.id, 26 * HOUR)).not.toBeNull();
    expect(db.$client.prepare("SELECT count(*) AS n FROM web_sessions").get()).toEqual({ n: 1 });
  });
});
