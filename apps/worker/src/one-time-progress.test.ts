import { describe, expect, it } from "vitest";
import type { Door } from "@sesame/core";
import { doors, eq, openDb } from "@sesame/db";
import type { DoorInfo } from "./door-table";
import { KnockdConfHolder } from "./knockd-conf-file";
import { OneTimeProgress } from "./one-time-progress";
import { memoryLog } from "./test-support";
import { WriteBehind } from "./write-behind";

const S = (port: number) => [{ port, protocol: "tcp" as const }];

function oneTimeDoor(index: number): DoorInfo {
  const door: Door = {
    id: "1", name: "ot", sequence: S(7000 + index), oneTimeSequences: [S(7000), S(7001), S(7002)], oneTimeIndex: index,
    seqTimeoutMs: 5000, tcpFlags: { set: [], clear: [] }, action: { kind: "ban", durationSec: 60 }, cooldownMs: 0, tolerateDuplicates: false, enabled: true,
  };
  return { door, rowId: 1, source: "ui", section: null };
}

describe("OneTimeProgress", () => {
  it("persists what core reports, never changes the door it was given, and re-applies it to a lagging row", () => {
    const db = openDb(":memory:", { migrate: true });
    db.insert(doors).values({ id: 1, name: "ot", sequence: S(7000), action: "ban", oneTimeSequences: [S(7000), S(7001), S(7002)] }).run();
    const log = memoryLog();
    const writer = new WriteBehind({ db });
    const p = new OneTimeProgress({ writer, log, knockdConf: new KnockdConfHolder(null) });
    const given = oneTimeDoor(0);
    const next = p.used(given, 0, false);
    expect(given.door.oneTimeIndex).toBe(0);
    expect(given.door.sequence).toEqual(S(7000));
    expect(next.door).toMatchObject({ oneTimeIndex: 1, sequence: S(7001) });
    expect(log.lines).toEqual(["ot: one-time sequence used; next sequence active"]);
    // The row is written behind: a reload before the flush still sees index 0.
    expect(p.withProgress(oneTimeDoor(0)).door).toMatchObject({ oneTimeIndex: 1, sequence: S(7001) });
    writer.flush();
    expect(db.select().from(doors).where(eq(doors.id, 1)).get()?.oneTimeIndex).toBe(1);
    // A row further on than what was recorded (or another list) is taken as it is.
    const ahead = oneTimeDoor(2);
    expect(p.withProgress(ahead)).toBe(ahead);
  });
});
