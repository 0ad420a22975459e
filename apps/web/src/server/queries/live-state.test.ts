import { openDb } from "@sesame/db";
import { describe, expect, it } from "vitest";
import { parseStoredPorts } from "@sesame/core";
import { findOpenGrants } from "./live-state";

describe("grants whose stored ports are not what the UI wrote", () => {
  it.each([
    ['[{"port":22,"protocol":"tcp"}]', [{ port: 22, protocol: "tcp" }]],
    ["not json", []],
    ['{"port":22}', []],
    ['[{"port":70000,"protocol":"tcp"}]', []],
    ["[]", []],
  ])("%s", (raw, want) => {
    expect(parseStoredPorts(raw)).toEqual(want);
  });

  it("one bad row does not fail the dashboard: it is listed with no ports, the others as they are", () => {
    const db = openDb(":memory:", { migrate: true });
    const insert = db.$client.prepare("INSERT INTO grants (ip, family, ports, door_name, opened_at, expires_at) VALUES (?, 4, ?, 'ssh', 0, ?)");
    insert.run("10.0.0.5", '[{"port":22,"protocol":"tcp"}]', 2000);
    insert.run("10.0.0.6", "not json", 1000);
    const rows = findOpenGrants(db, 500);
    expect(rows.map((g) => [g.ip, g.ports])).toEqual([
      ["10.0.0.6", []],
      ["10.0.0.5", [{ port: 22, protocol: "tcp" }]],
    ]);
  });
});
