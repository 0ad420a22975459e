import { describe, expect, it } from "vitest";
import type { Door } from "@sesame/core";
import { checkDoorAction, parseBanRow, parseGrantRow } from "./db-rows";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const row = (over: Record<string, unknown>) => ({ id: 7, ip: "192.0.2.1", ports: '[{"port":22,"protocol":"tcp"}]', door_id: 1, door_name: "ssh", expires_at: NOW + 60_000, applied_expires_at: null, ...over });

describe("stored grant rows", () => {
  it.each([
    { name: "address 999.1.1.1", over: { ip: "999.1.1.1" }, reason: /ip is not a canonical/ },
    { name: "address not canonical (::ffff:, upper case)", over: { ip: "FD00::1" }, reason: /ip is not a canonical/ },
    { name: "expiry as text", over: { expires_at: "abc" }, reason: /expires_at is not a number/ },
    { name: "expiry as a fraction", over: { expires_at: NOW + 0.5 } , reason: /whole number/ },
    { name: "ports not JSON", over: { ports: "tcp/22" }, reason: /ports is not valid JSON/ },
    { name: "port out of range", over: { ports: '[{"port":70000,"protocol":"tcp"}]' }, reason: /port is above 65535/ },
    { name: "port 0", over: { ports: '[{"port":0,"protocol":"tcp"}]' }, reason: /port is below 1/ },
    { name: "port as text", over: { ports: '[{"port":"22","protocol":"tcp"}]' }, reason: /port is not a whole number/ },
    { name: "unknown protocol", over: { ports: '[{"port":22,"protocol":"sctp"}]' }, reason: /protocol is not tcp or udp/ },
    { name: "no ports", over: { ports: "[]" }, reason: /ports is empty/ },
  ])("rejects $name, naming the row", ({ over, reason }) => {
    const r = parseGrantRow(row(over), NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.rejected).toMatchObject({ table: "grants", id: 7 });
      expect(r.rejected.reason).toMatch(reason);
    }
  });

  it.each([
    { name: "inside the cap", expiresAt: NOW + 60_000, want: NOW + 60_000, clamped: false },
    { name: "year 9999", expiresAt: Date.UTC(9999, 0, 1), want: NOW + DAY, clamped: true },
    { name: "extended 100 times by 4 h", expiresAt: NOW + 100 * 4 * 3_600_000, want: NOW + DAY, clamped: true },
  ])("clamps the expiry: $name", ({ expiresAt, want, clamped }) => {
    const r = parseGrantRow(row({ expires_at: expiresAt }), NOW);
    expect(r.ok && { expiresAt: r.row.expiresAt, clamped: r.row.clamped }).toEqual({ expiresAt: want, clamped });
  });

  it("keeps a good IPv6 row with its family", () => {
    const r = parseGrantRow(row({ ip: "fd00::2", ports: '[{"port":53,"protocol":"udp"}]' }), NOW);
    expect(r.ok && r.row).toMatchObject({ ip: "fd00::2", family: 6, ports: [{ port: 53, protocol: "udp" }] });
  });
});

describe("stored ban rows", () => {
  it.each([
    { name: "two years out is a year", over: { expires_at: NOW + 730 * DAY }, want: { ok: true, expiresAt: NOW + 365 * DAY } },
    { name: "bad address", over: { ip: "10.0.0" }, want: { ok: false } },
    { name: "expiry as text", over: { expires_at: "9999-01-01" }, want: { ok: false } },
  ])("$name", ({ over, want }) => {
    const r = parseBanRow(row(over), NOW);
    expect(r.ok ? { ok: true, expiresAt: r.row.expiresAt } : { ok: false }).toEqual(want);
  });
});

describe("door actions", () => {
  const door = (action: Door["action"]): Door => ({ id: "1", name: "d", sequence: [{ port: 1, protocol: "tcp" }], seqTimeoutMs: 5000, tcpFlags: { set: [], clear: [] }, action, enabled: true, cooldownMs: 0, tolerateDuplicates: false }) as unknown as Door;
  it.each([
    { name: "open, fine", action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 }, want: "ok 300" },
    { name: "open past a day", action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 10 ** 9 }, want: "ok 86400" },
    { name: "ban past a year", action: { kind: "ban", durationSec: 10 ** 9 }, want: "ok 31536000" },
    { name: "open port out of range", action: { kind: "open", ports: [{ port: 99999, protocol: "tcp" }], durationSec: 300 }, want: "bad" },
    { name: "negative duration", action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: -5 }, want: "bad" },
  ])("$name", ({ action, want }) => {
    const r = checkDoorAction(door(action as Door["action"]));
    const a = r.ok ? r.door.action : undefined;
    expect(r.ok && a && "durationSec" in a ? `ok ${a.durationSec}` : "bad").toBe(want);
  });
});
