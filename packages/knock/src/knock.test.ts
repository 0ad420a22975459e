import { describe, expect, it } from "vitest";
import { knock, KnockResolveError, resolveKnockHost, type KnockOptions } from "./knock";

// Only paths that fail before any packet is sent: real knocks are covered by
// test/knock.net.test.ts inside network namespaces.
describe("knock: option checks (nothing sent)", () => {
  const base: KnockOptions = { host: "192.0.2.1", steps: [{ port: 7000, protocol: "tcp" }] };
  const cases: Array<[string, Partial<KnockOptions>, RegExp]> = [
    ["no steps", { steps: [] }, /no steps/],
    ["port 0", { steps: [{ port: 0, protocol: "tcp" }] }, /invalid port 0/],
    ["port 65536", { steps: [{ port: 65536, protocol: "udp" }] }, /invalid port 65536/],
    ["fractional port", { steps: [{ port: 1.5, protocol: "udp" }] }, /invalid port 1.5/],
    ["bad protocol", { steps: [{ port: 1, protocol: "icmp" as "tcp" }] }, /invalid protocol icmp/],
    ["negative delay", { delayMs: -1 }, /invalid delay -1/],
    ["bad localAddress", { localAddress: "not-an-ip" }, /not an IP address/],
    ["localAddress of the other family", { localAddress: "fd00::2", family: 4 }, /is not IPv4/],
  ];
  it.each(cases)("%s", async (_name, patch, message) => {
    await expect(knock({ ...base, ...patch })).rejects.toThrow(message);
  });

  it("refuses an IP literal of the other family, like knock -4 ::1", async () => {
    await expect(knock({ ...base, host: "fd00::1", family: 4 })).rejects.toBeInstanceOf(KnockResolveError);
    await expect(knock({ ...base, host: "192.0.2.1", localAddress: "fd00::2" })).rejects.toThrow(/IPv4 address but IPv6 was requested/);
  });
});

describe("resolveKnockHost", () => {
  it.each([
    ["192.0.2.7", undefined, { address: "192.0.2.7", family: 4 }],
    ["192.0.2.7", 4, { address: "192.0.2.7", family: 4 }],
    ["2001:db8::7", undefined, { address: "2001:db8::7", family: 6 }],
    ["2001:db8::7", 6, { address: "2001:db8::7", family: 6 }],
  ] as const)("%s (family %s)", async (host, family, want) => {
    await expect(resolveKnockHost(host, family)).resolves.toEqual(want);
  });

  it.each([
    ["2001:db8::7", 4, "cannot resolve host '2001:db8::7': it is an IPv6 address but IPv4 was requested"],
    ["192.0.2.7", 6, "cannot resolve host '192.0.2.7': it is an IPv4 address but IPv6 was requested"],
  ] as const)("%s with family %s fails", async (host, family, message) => {
    await expect(resolveKnockHost(host, family)).rejects.toThrow(message);
  });
});
