import { describe, expect, it } from "vitest";
import { doorInputToRow, type DoorRow } from "../doors/row";
import { DoorInputSchema } from "../doors/schemas";
import { ApiDoorCreateSchema, ApiDoorPatchSchema, isTogglePatch, patchedDoorCandidate, toApiDoor } from "./doors";

const stored = (row: Partial<DoorRow> = {}) => ({
  ...doorInputToRow(
    DoorInputSchema.parse({
      name: "ssh",
      steps: [{ port: 7000 }, { port: 8000, protocol: "udp" }],
      action: { kind: "open", ports: [{ port: 22 }], durationSec: 60 },
    }),
  ),
  ...row,
  id: 3,
  createdAt: 1,
  updatedAt: 2,
});

describe("toApiDoor", () => {
  it("shows a door under the editor's field names", () => {
    expect(toApiDoor(stored())).toEqual({
      id: 3,
      name: "ssh",
      kind: "sequence",
      source: "ui",
      enabled: true,
      steps: [{ port: 7000, protocol: "tcp" }, { port: 8000, protocol: "udp" }],
      oneTime: null,
      seqTimeoutSec: 25,
      tcpFlags: { set: [], clear: [] },
      target: null,
      action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 },
      cooldownSec: 0,
      tolerateDuplicates: false,
      createdAt: 1,
      updatedAt: 2,
    });
  });

  it("never shows a one-time door's sequences, only how many are left", () => {
    const oneTime = [[{ port: 1111, protocol: "tcp" as const }], [{ port: 2222, protocol: "tcp" as const }], [{ port: 3333, protocol: "udp" as const }]];
    const view = toApiDoor(stored({ sequence: oneTime[1]!, oneTimeSequences: oneTime, oneTimeIndex: 1 }));
    expect(view).toMatchObject({ steps: null, oneTime: { remaining: 2 } });
    expect(JSON.stringify(view)).not.toMatch(/1111|2222|3333/);
  });

  it.each([
    [{ action: "ban", durationSec: 3600, openPorts: null }, "decoy", { kind: "ban", durationSec: 3600 }],
    [{ action: "close", closeDoorName: "ssh", openPorts: null }, "sequence", { kind: "close", doorName: "ssh" }],
    [
      { action: "command", commandSection: "openHTTPS", commandPreview: "start_command = /sbin/x %IP%", openPorts: null, source: "knockd-conf" },
      "sequence",
      { kind: "command", section: "openHTTPS", commands: "start_command = /sbin/x %IP%" },
    ],
  ] as const)("%o is a %s", (row, kind, action) => {
    expect(toApiDoor(stored(row as Partial<DoorRow>))).toMatchObject({ kind, action });
  });
});

describe("ApiDoorCreateSchema", () => {
  it("is the editor's schema plus confirmLockout (false unless sent)", () => {
    const body = { name: "web", steps: [{ port: 1 }], action: { kind: "ban", durationSec: 60 } };
    expect(ApiDoorCreateSchema.parse(body)).toEqual({ ...DoorInputSchema.parse(body), confirmLockout: false });
    expect(ApiDoorCreateSchema.safeParse({ ...body, confirmLockout: "yes" }).success).toBe(false);
    expect(ApiDoorCreateSchema.safeParse({ ...body, steps: [{ port: 70000 }] }).error?.issues[0]).toMatchObject({ path: ["steps", 0, "port"] });
  });
});

describe("ApiDoorPatchSchema", () => {
  it.each([
    [{ enabled: false }, { fields: { enabled: false }, confirmLockout: false }],
    [{ steps: [], confirmLockout: true }, { fields: { steps: [] }, confirmLockout: true }],
  ])("takes %o", (body, want) => {
    expect(ApiDoorPatchSchema.parse(body)).toEqual(want);
  });

  it.each([
    [{}, "Send at least one door field"],
    [{ confirmLockout: true }, "Send at least one door field"],
    [{ enabled: true, id: 4 }, "id: not a door field"],
    [{ enabled: true, confirmLockout: 1 }, "confirmLockout must be true or false."],
    [[{ enabled: true }], "The body must be a JSON object"],
  ])("refuses %o", (body, message) => {
    expect(ApiDoorPatchSchema.safeParse(body).error?.issues[0]?.message).toContain(message);
  });

  it("tells a toggle from an edit, and lays an edit over the door's fields", () => {
    const toggle = ApiDoorPatchSchema.parse({ enabled: false });
    const edit = ApiDoorPatchSchema.parse({ enabled: false, cooldownSec: 5 });
    expect([isTogglePatch(toggle), isTogglePatch(edit)]).toEqual([true, false]);
    const candidate = patchedDoorCandidate(stored(), edit);
    expect(DoorInputSchema.parse(candidate)).toMatchObject({ name: "ssh", enabled: false, cooldownSec: 5, steps: [{ port: 7000 }, { port: 8000 }] });
    expect(patchedDoorCandidate(stored({ action: "command", commandSection: "x", openPorts: null }), edit)).toBeNull();
  });
});
