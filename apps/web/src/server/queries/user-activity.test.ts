import { events, openDb } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { findUserActivity } from "./user-activity";

// A user's Recent activity on a real migrated database: their rows, newest
// first, not another user's, not those of an earlier user of the same name.

describe("findUserActivity", () => {
  it("lists the user's own events newest first, capped, without an earlier same-named user's", () => {
    const db = openDb(":memory:", { migrate: true });
    const row = (ts: number, userName: string | null, kind = "spa") => db.insert(events).values({ ts, kind, ip: "10.0.0.2", doorName: "SPA", userName, detail: null }).run();
    row(1_000, "alice", "open"); // an alice deleted before this one was created
    row(5_000, "alice", "open");
    row(6_000, "bob");
    row(7_000, null);
    row(8_000, "alice");
    row(9_000, "alice");
    const alice = { name: "alice", createdAt: 4_000 };
    expect(findUserActivity(db, alice).map((e) => [e.ts, e.kind])).toEqual([[9_000, "spa"], [8_000, "spa"], [5_000, "open"]]);
    expect(findUserActivity(db, alice, 2).map((e) => e.ts)).toEqual([9_000, 8_000]);
    expect(findUserActivity(db, { name: "carol", createdAt: 0 })).toEqual([]);
  });
});
