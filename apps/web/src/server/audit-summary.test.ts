import { describe, expect, it } from "vitest";
import { summarizeAuditEntry } from "./audit-summary";

describe("summarizeAuditEntry", () => {
  it.each([
    [{ before: { ip: "10.0.0.5", door: "decoy", expiresAt: 1 }, after: { ip: "10.0.0.5", door: "decoy", liftedAt: 2 } }, "10.0.0.5, door decoy"],
    [{ before: { ip: "2001:db8::5", door: "openSSH", expiresAt: 1 }, after: { ip: "2001:db8::5", door: "openSSH", expiresAt: 9 } }, "2001:db8::5, door openSSH (expiresAt)"],
    [{ before: { name: "openSSH", enabled: true }, after: { name: "openSSH", enabled: false } }, "openSSH (enabled)"],
    [{ before: null, after: { cidr: "10.0.0.0/24" } }, "10.0.0.0/24"],
    [{ before: null, after: { address: "192.0.2.4" } }, "192.0.2.4"],
    [
      { before: null, after: { address: "192.0.2.4", throttle: { failures: 5, locked: { scope: "client", seconds: 60 } } } },
      "192.0.2.4, failure 5 of this client, locked 60 s (client)",
    ],
    [{ before: null, after: null }, ""],
  ])("%j → %j", (row, line) => {
    expect(summarizeAuditEntry(row)).toBe(line);
  });
});
