import { openDb, trustedNetworks } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { clearFailures, currentLock, GLOBAL_MAX_FAILURES, GLOBAL_WINDOW_MS, lockMessage, reserveAttempt } from "./login-throttle";

const fresh = () => openDb(":memory:", { migrate: true });
/** A different /64 each time: what a /48 can rotate through. */
const from48 = (i: number) => `2001:db8:77:${i.toString(16)}::1`;

describe("login throttling: the global ceiling", () => {
  it("many clients with a few tries each hit the global ceiling; even the right client then waits, at most a minute", () => {
    const db = fresh();
    const t0 = 1_000_000;
    for (let i = 0; i < GLOBAL_MAX_FAILURES; i++) {
      const r = reserveAttempt(db, from48(i), t0 + i);
      expect(r.allowed, `attempt ${i + 1}`).toBe(true);
    }
    const refused = reserveAttempt(db, "198.51.100.7", t0 + 100);
    expect(refused).toEqual({ allowed: false, scope: "global", retryInMs: GLOBAL_WINDOW_MS - 100 });
    expect(lockMessage(refused as { retryInMs: number; scope: "global" })).toBe(
      "Too many failed logins on this appliance in the last minute (from all addresses). Try again in 60 s.",
    );
    expect(currentLock(db, "198.51.100.7", t0 + 100)?.scope).toBe("global");
    // Bounded: once the minute is over, the admin gets in again.
    expect(reserveAttempt(db, "198.51.100.7", t0 + GLOBAL_WINDOW_MS).allowed).toBe(true);
    expect(currentLock(db, "198.51.100.7", t0 + GLOBAL_WINDOW_MS)).toBeNull();
  });

  it("refusals while locked are not counted, so the lock does not extend itself", () => {
    const db = fresh();
    for (let i = 0; i < GLOBAL_MAX_FAILURES; i++) reserveAttempt(db, from48(i), i);
    for (let i = 0; i < 100; i++) expect(reserveAttempt(db, from48(1000 + i), 1000 + i).allowed).toBe(false);
    expect(reserveAttempt(db, "198.51.100.7", GLOBAL_WINDOW_MS).allowed).toBe(true);
  });

  it("a trusted network's client is never held by the global lock (still by its own)", () => {
    const db = fresh();
    db.insert(trustedNetworks).values({ cidr: "10.9.0.0/16" }).run();
    for (let i = 0; i < GLOBAL_MAX_FAILURES; i++) reserveAttempt(db, from48(i), i);
    expect(reserveAttempt(db, "198.51.100.7", 100).allowed).toBe(false);
    expect(currentLock(db, "10.9.1.2", 100)).toBeNull();
    for (let i = 0; i < 4; i++) expect(reserveAttempt(db, "10.9.1.2", 100 + i).allowed).toBe(true);
    expect(reserveAttempt(db, "10.9.1.2", 200)).toMatchObject({ allowed: true, failures: 5 });
    expect(reserveAttempt(db, "10.9.1.2", 300)).toMatchObject({ allowed: false, scope: "client" });
  });

  it("a successful login takes its reserved attempt off the global count", () => {
    const db = fresh();
    for (let i = 0; i < GLOBAL_MAX_FAILURES + 10; i++) {
      const r = reserveAttempt(db, "10.0.0.1", i);
      expect(r.allowed).toBe(true);
      clearFailures(db, "10.0.0.1");
    }
    expect(reserveAttempt(db, "10.0.0.2", 100)).toMatchObject({ allowed: true, globalFailures: 1 });
  });

  it("the window is fixed: failures of an earlier minute do not count", () => {
    const db = fresh();
    for (let i = 0; i < GLOBAL_MAX_FAILURES - 1; i++) reserveAttempt(db, from48(i), i);
    expect(reserveAttempt(db, from48(500), GLOBAL_WINDOW_MS + 1)).toMatchObject({ allowed: true, globalFailures: 1 });
  });

  it("per-client limits still apply and speak of the address", () => {
    const db = fresh();
    for (let i = 1; i <= 5; i++) expect(reserveAttempt(db, "203.0.113.9", i)).toMatchObject({ allowed: true, failures: i });
    const r = reserveAttempt(db, "203.0.113.9", 10);
    expect(r).toMatchObject({ allowed: false, scope: "client" });
    expect(lockMessage(r as { retryInMs: number; scope: "client" })).toMatch(/^Too many failed attempts from your address\. Try again in 60 s\.$/);
  });
});
