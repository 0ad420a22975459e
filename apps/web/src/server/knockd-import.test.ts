import { doorToRow, knockdDoorToDoor, parseKnockdConf } from "@sesame/core";
import { doors, openDb } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { COMMAND_DOOR_EDIT_REFUSAL, isCommandDoor } from "./command-doors";
import { planImport } from "./knockd-import";
import { findDoors } from "./queries/doors";

/** The doors the worker imports from its own root-owned knockd.conf (-c). */
const WORKER_CONF = `[openSSH]
    sequence    = 7000,8000,9000
    command     = /usr/sbin/nft add element inet f allow { %IP% }
[otp]
    One_Time_Sequences = /etc/knockd/otp.txt
    command     = /bin/true
`;

function seedWorkerDoors() {
  const db = openDb(":memory:", { migrate: true });
  const parsed = parseKnockdConf(WORKER_CONF);
  if (!parsed.ok) throw new Error("fixture does not parse");
  for (const kd of parsed.config.doors) db.insert(doors).values(doorToRow(knockdDoorToDoor(kd), "knockd-conf")).run();
  db.insert(doors).values({ name: "web", sequence: [{ port: 1111, protocol: "tcp" }], action: "open", openPorts: [{ port: 22, protocol: "tcp" }] }).run();
  return db;
}

describe("knockd.conf import from the web and command doors", () => {
  it("skips a section named like one of the worker's command doors, with the reason in the preview", () => {
    const db = seedWorkerDoors();
    const before = findDoors(db);
    const text = `[openSSH]\n    sequence = 1,2,3\n    command = /bin/true\n[otp]\n    sequence = 4,5,6\n[web]\n    sequence = 2222\n    command = /bin/true\n`;
    const result = planImport(text, before, []);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { plan } = result;
    expect(plan.skipped.map((s) => s.name).sort()).toEqual(["openSSH", "otp"]);
    expect(plan.skipped[0]!.reason).toMatch(/command door from the worker's knockd.conf: an import cannot change it \(skipped\)/);
    // Neither re-keyed nor counted as changed; a UI door by the same name still may be replaced.
    expect(plan.changed.map((c) => c.row.name)).toEqual(["web"]);
    expect(plan.added).toEqual([]);
  });

  it("the same file again is unchanged, not skipped", () => {
    const db = seedWorkerDoors();
    const result = planImport(WORKER_CONF, findDoors(db), []);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.skipped).toEqual([]);
    expect(result.plan.unchanged.sort()).toEqual(["openSSH", "otp"]);
  });

  it("the door editor's refusal applies to every command door, and only to them", () => {
    const db = seedWorkerDoors();
    const byName = new Map(findDoors(db).map((d) => [d.name, d]));
    expect(isCommandDoor(byName.get("openSSH")!)).toBe(true);
    expect(isCommandDoor(byName.get("otp")!)).toBe(true);
    expect(isCommandDoor(byName.get("web")!)).toBe(false);
    expect(COMMAND_DOOR_EDIT_REFUSAL).toContain("can only be enabled, disabled or deleted");
  });
});
