import { describe, expect, it } from "vitest";
import { CredentialRequestSchema, makeUserInputSchema } from "./schemas";

const NOW = 1_700_000_000_000;
const schema = makeUserInputSchema(() => NOW);
const base = { name: "alice", enabled: "on", ports: "22", grantSec: "30", maxGrantSec: "300" };

describe("makeUserInputSchema", () => {
  it("reads the form: ports and sources as text, checkboxes, numbers", () => {
    expect(schema.parse({ ...base, ports: "22, 53:udp", sources: "10.0.0.0/8, 2001:db8::/32\n192.0.2.7", expiresAt: String(NOW + 1000) })).toEqual({
      name: "alice",
      comment: "",
      enabled: true,
      expiresAt: NOW + 1000,
      sources: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"],
      ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }],
      grantSec: 30,
      maxGrantSec: 300,
      requireSourceAddress: false,
    });
    expect(schema.parse({ ...base, enabled: undefined }).enabled).toBe(false);
    expect(schema.parse({ ...base, requireSourceAddress: "on" }).requireSourceAddress).toBe(true);
    expect(schema.parse({ ...base, requireSourceAddress: null }).requireSourceAddress).toBe(false);
  });

  it.each([
    [{ name: "al ice" }, "name", "Name may only contain letters, digits, '.', '-' and '_' (1 to 64 characters)."],
    [{ ports: "" }, "ports", "Give at least one port the user may open (e.g. 22 or 22, 53:udp)."],
    [{ ports: "22, 22" }, "ports", "Port tcp/22 is listed twice."],
    [{ ports: "70000" }, "ports", "Ports: port 70000 is invalid (ports are 1 to 65535)."],
    [{ sources: "10.0.0.0/33" }, "sources", "Source 10.0.0.0/33: Prefix /33 is out of range for IPv4 (expected /0 to /32)."],
    [{ grantSec: "600" }, "grantSec", "Grant length must not exceed the longest grant."],
    [{ maxGrantSec: "0" }, "maxGrantSec", "Longest grant must be a whole number of seconds from 1 to 86400 (one day)."],
    [{ expiresAt: String(NOW - 1) }, "expiresAt", "Expiry must be in the future."],
  ])("%o → %s: %s", (over, path, message) => {
    const r = schema.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    if (!r.success) expect({ path: r.error.issues[0]?.path.join("."), message: r.error.issues[0]?.message }).toEqual({ path, message });
  });
});

describe("CredentialRequestSchema", () => {
  it.each([
    [{ userId: "3", kind: "totp" }, { userId: 3, kind: "totp", graceMinutes: 0 }],
    [{ userId: "3", kind: "spa", graceMinutes: "60" }, { userId: 3, kind: "spa", graceMinutes: 60 }],
  ])("%o", (input, want) => {
    expect(CredentialRequestSchema.parse(input)).toEqual(want);
  });

  it.each([[{ userId: "3", kind: "gpg" }], [{ userId: "x", kind: "totp" }], [{ userId: "3", kind: "totp", graceMinutes: "20000" }]])("refuses %o", (input) => {
    expect(CredentialRequestSchema.safeParse(input).success).toBe(false);
  });
});
