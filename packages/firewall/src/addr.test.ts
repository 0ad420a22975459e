import { describe, expect, it } from "vitest";
import { parseAddress, rangeToCidrs, requireNetwork } from "./addr";

describe("parseAddress", () => {
  it.each([
    ["10.0.0.1", 4, "10.0.0.1"],
    ["fd00:0:0:0::0002", 6, "fd00::2"],
    ["FD00:1::", 6, "fd00:1::"],
    ["::", 6, "::"],
    ["::1", 6, "::1"],
    ["2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1"],
    ["2001:0:0:1:0:0:0:1", 6, "2001:0:0:1::1"],
    ["::ffff:192.0.2.7", 4, "192.0.2.7"],
    ["64:ff9b::192.0.2.7", 6, "64:ff9b::c000:207"],
  ] as const)("%s → %s", (input, family, text) => {
    expect(parseAddress(input)).toMatchObject({ family, text });
  });

  it.each(["", "10.0.0", "10.0.0.256", "fe80::1%eth0", "1.2.3.4 ; flush ruleset", "::g", "1.2.3.4/32"])("rejects %j", (input) => {
    expect(parseAddress(input)).toBeNull();
  });
});

describe("requireNetwork", () => {
  it.each([
    ["10.2.0.5/16", "10.2.0.0/16", 4],
    ["10.3.0.1", "10.3.0.1", 4],
    ["10.3.0.1/32", "10.3.0.1", 4],
    ["0.0.0.0/0", "0.0.0.0/0", 4],
    ["fd00:12::7/64", "fd00:12::/64", 6],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8", 4],
  ] as const)("%s → %s", (input, text, family) => {
    expect(requireNetwork(input)).toMatchObject({ text, family });
  });

  it.each(["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8/8", "fd00::/129", "x/8", "10.0.0.0/-1", "10.0.0.0/08 x"])("rejects %j", (input) => {
    expect(() => requireNetwork(input)).toThrow(RangeError);
  });
});

describe("rangeToCidrs", () => {
  const v4 = (s: string): bigint => parseAddress(s)!.value;
  it.each([
    ["10.5.0.0", "10.5.2.255", ["10.5.0.0/23", "10.5.2.0/24"]],
    ["10.0.0.1", "10.0.0.1", ["10.0.0.1"]],
    ["10.0.0.1", "10.0.0.6", ["10.0.0.1", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6"]],
    ["0.0.0.0", "255.255.255.255", ["0.0.0.0/0"]],
  ])("%s-%s", (a, b, want) => {
    expect(rangeToCidrs(4, v4(a), v4(b))).toEqual(want);
  });

  it("covers IPv6 ranges", () => {
    const a = parseAddress("fd00::")!.value;
    const b = parseAddress("fd00:0:0:1:ffff:ffff:ffff:ffff")!.value;
    expect(rangeToCidrs(6, a, b)).toEqual(["fd00::/63"]);
  });
});
