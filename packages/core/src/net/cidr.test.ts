import { describe, expect, it } from "vitest";
import { canonicalIp, clientBlock, ipFamily, normalizeIp, parseIp } from "./ip";
import { CidrSet, cidrContains, cidrsOverlap, parseCidr } from "./cidr";
import { parseNetwork } from "./network";

describe("normalizeIp", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    [" 10.0.0.5 ", "10.0.0.5"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:DB8::1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // longest run wins
    ["fe80::0001:0:0:0", "fe80::1:0:0:0"], // tie: the first run
    ["fe80:0:0:1::", "fe80:0:0:1::"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::FFFF:0102:0304", "::ffff:1.2.3.4"],
    ["::1.2.3.4", "::102:304"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
  ])("%s → %s", (input, out) => {
    expect(normalizeIp(input)).toBe(out);
  });

  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-4",
    "1.2.3.4/24",
    "a.b.c.d",
    ":",
    ":::",
    "1:::2",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "12345::",
    "g::1",
    "fe80::1%eth0",
    "[::1]",
    "::ffff:1.2.3",
    "1.2.3.4::",
    "1:2:3:4:5:6:7:1.2.3.4",
    "ssh.maths.fr",
  ])("rejects %j", (input) => {
    expect(normalizeIp(input)).toBeNull();
    expect(parseIp(input)).toBeNull();
  });

  it("reports the family and bytes", () => {
    expect(ipFamily("10.0.0.1")).toBe(4);
    expect(ipFamily("::1")).toBe(6);
    expect(ipFamily("nope")).toBeNull();
    expect(Array.from(parseIp("::ffff:1.2.3.4")!.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.0/24", 4, 24, false],
    ["10.0.0.5/24", "10.0.0.0/24", 4, 24, true],
    ["10.0.0.5", "10.0.0.5/32", 4, 32, true],
    ["29.123.4.0/24", "29.123.4.0/24", 4, 24, false],
    ["0.0.0.0/0", "0.0.0.0/0", 4, 0, false],
    ["1.2.3.4/0", "0.0.0.0/0", 4, 0, true],
    ["192.168.1.255/31", "192.168.1.254/31", 4, 31, true],
    ["2001:DB8::/32", "2001:db8::/32", 6, 32, true],
    ["2001:db8::1/64", "2001:db8::/64", 6, 64, true],
    ["2001:db8:abcd:1234::/50", "2001:db8:abcd::/50", 6, 50, true],
    ["::/0", "::/0", 6, 0, false],
    ["::1/128", "::1/128", 6, 128, false],
    ["::ffff:10.1.2.3/120", "::ffff:10.1.2.0/120", 6, 120, true],
  ])("%s → %s", (input, text, family, prefix, normalized) => {
    const r = parseCidr(input);
    expect(r).toEqual({ ok: true, cidr: { family, prefix, network: text.split("/")[0], text }, normalized });
  });

  it.each([
    ["", "An address or network is required."],
    ["10.0.0.0/33", "Prefix /33 is out of range for IPv4 (expected /0 to /32)."],
    ["::/129", "Prefix /129 is out of range for IPv6 (expected /0 to /128)."],
    ["10.0.0.0/", `"/" is not a prefix length (expected /0 to /32).`],
    ["10.0.0.0/-1", `"/-1" is not a prefix length (expected /0 to /32).`],
    ["10.0.0.0/2a", `"/2a" is not a prefix length (expected /0 to /32).`],
    ["10.0.0.0/24/8", `"/24/8" is not a prefix length (expected /0 to /32).`],
    ["10.0.0/24", `"10.0.0" is not an IPv4 or IPv6 address.`],
    ["example.org/24", `"example.org" is not an IPv4 or IPv6 address.`],
  ])("rejects %j", (input, reason) => {
    expect(parseCidr(input)).toEqual({ ok: false, reason });
  });
});

describe("parseNetwork (networks for the firewall)", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.0/24"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["::/0", "::/0"],
    ["::1", "::1/128"],
    ["::10.0.0.7/128", "::a00:7/128"], // IPv4-compatible (deprecated) is not IPv4-mapped
    ["::fffe:0:0/96", "::fffe:0:0/96"],
    ["64:ff9b::/96", "64:ff9b::/96"],
  ])("accepts %s as %s", (input, text) => {
    const r = parseNetwork(input);
    expect(r.ok && r.cidr.text).toBe(text);
  });

  it.each([
    ["::ffff:0:0/96", "write the IPv4 form 0.0.0.0/0."],
    ["::ffff:0.0.0.0/96", "write the IPv4 form 0.0.0.0/0."],
    ["::ffff:1.2.3.0/120", "write the IPv4 form 1.2.3.0/24."],
    ["::ffff:1.2.3.4/120", "write the IPv4 form 1.2.3.0/24."],
    ["::FFFF:10.0.0.5", "write the IPv4 form 10.0.0.5/32."],
    ["::ffff:a00:5/128", "write the IPv4 form 10.0.0.5/32."],
    ["0:0:0:0:0:ffff:c0a8:0/112", "write the IPv4 form 192.168.0.0/16."],
    ["::ffff:10.0.0.5/64", "write an IPv4 network such as 1.2.3.0/24, or a plain IPv6 one."],
  ])("refuses the IPv4-mapped %s", (input, tail) => {
    const r = parseNetwork(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain("IPv4-mapped");
      expect(r.reason.endsWith(tail)).toBe(true);
    }
  });

  it("still reports what parseCidr reports", () => {
    expect(parseNetwork("10.0.0.0/33")).toEqual(parseCidr("10.0.0.0/33"));
  });
});

describe("cidrContains", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.0", true],
    ["10.0.0.0/24", "10.0.0.255", true],
    ["10.0.0.0/24", "10.0.1.0", false],
    ["10.0.0.0/8", "10.200.3.4", true],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["10.0.0.5/32", "10.0.0.5", true],
    ["10.0.0.5/32", "10.0.0.6", false],
    ["10.0.0.0/24", "::ffff:10.0.0.7", true],
    ["10.0.0.0/24", "::ffff:10.0.1.7", false],
    ["10.0.0.0/24", "::10.0.0.7", false], // IPv4-compatible is not IPv4-mapped
    ["::ffff:0:0/96", "192.0.2.1", false], // families are filtered separately
    ["::ffff:0:0/96", "::ffff:192.0.2.1", true],
    ["::/0", "10.0.0.1", false],
    ["::/0", "::ffff:10.0.0.1", true],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["::/0", "2001:db8::1", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/33", "2001:db8:8000::", false],
    ["2001:db8::/33", "2001:db8:7fff::", true],
    ["10.0.0.0/24", "not-an-ip", false],
    ["garbage", "10.0.0.1", false],
  ])("%s ∋ %s = %s", (cidr, ip, expected) => {
    expect(cidrContains(cidr, ip)).toBe(expected);
    const parsed = parseCidr(cidr);
    if (parsed.ok) expect(cidrContains(parsed.cidr, ip)).toBe(expected);
  });
});

describe("cidrsOverlap", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.128/25", true],
    ["10.0.0.0/25", "10.0.0.128/25", false],
    ["10.0.0.0/8", "10.1.2.3", true],
    ["0.0.0.0/0", "192.0.2.0/24", true],
    ["10.0.0.0/24", "2001:db8::/32", false],
    ["10.0.0.0/24", "::ffff:10.0.0.0/120", true],
    ["::ffff:0:0/96", "1.2.3.4/32", true],
    ["2001:db8::/32", "2001:db8:1::/48", true],
    ["2001:db8::/48", "2001:db8:1::/48", false],
    ["bad", "10.0.0.0/8", false],
  ])("%s ~ %s = %s", (a, b, expected) => {
    expect(cidrsOverlap(a, b)).toBe(expected);
    expect(cidrsOverlap(b, a)).toBe(expected);
  });
});

describe("CidrSet", () => {
  const set = new CidrSet(["29.123.4.0/24", "29.123.21.0/24", "30.28.121.188", "2001:db8::/32", "2001:db8:1::/48", "10.0.0.0/8"]);

  it.each([
    ["29.123.4.77", "29.123.4.0/24"],
    ["29.123.21.1", "29.123.21.0/24"],
    ["29.123.5.1", undefined],
    ["30.28.121.188", "30.28.121.188/32"],
    ["30.28.121.189", undefined],
    ["::ffff:30.28.121.188", "30.28.121.188/32"],
    ["10.9.8.7", "10.0.0.0/8"],
    ["2001:db8:1::5", "2001:db8:1::/48"], // most specific wins
    ["2001:db8:2::5", "2001:db8::/32"],
    ["2001:db9::", undefined],
    ["nonsense", undefined],
  ])("match(%s) = %s", (ip, expected) => {
    expect(set.match(ip)?.text).toBe(expected);
    expect(set.has(ip)).toBe(expected !== undefined);
  });

  it("deduplicates equal blocks and counts them", () => {
    const s = new CidrSet(["10.0.0.5/24", "10.0.0.0/24", "::/0"]);
    expect(s.size).toBe(2);
    expect(s.has("2001:db8::1")).toBe(true);
    expect(s.has("10.0.0.200")).toBe(true);
    expect(s.has("11.0.0.1")).toBe(false);
    expect(s.has("::ffff:11.0.0.1")).toBe(true);
    expect(s.match("::ffff:10.0.0.1")?.text).toBe("10.0.0.0/24"); // /120 in IPv6 terms beats ::/0
  });

  it("is empty by default and throws on a bad entry", () => {
    expect(new CidrSet().has("1.2.3.4")).toBe(false);
    expect(() => new CidrSet(["10.0.0.0/40"])).toThrow(/invalid CIDR/);
  });

  it("holds tens of thousands of blocks with a few prefix lengths", () => {
    const entries: string[] = [];
    for (let i = 0; i < 65_536; i++) entries.push(`10.${i >> 8}.${i & 255}.${(i * 7) & 255}`);
    for (let i = 0; i < 4096; i++) entries.push(`2001:db8:${i.toString(16)}::/48`);
    const s = new CidrSet(entries);
    expect(s.size).toBe(65_536 + 4096);
    for (let i = 0; i < 65_536; i += 97) {
      expect(s.has(`10.${i >> 8}.${i & 255}.${(i * 7) & 255}`)).toBe(true);
      expect(s.has(`10.${i >> 8}.${i & 255}.${((i * 7) + 1) & 255}`)).toBe(false);
    }
    expect(s.has("2001:db8:fff:1::2")).toBe(true);
    expect(s.has("2001:db8:1000::")).toBe(false);
  });

  it("agrees with cidrContains on many addresses", () => {
    const blocks = ["192.168.0.0/16", "192.168.10.0/24", "172.16.0.0/12", "fd00::/8", "fd12:3456::/32"];
    const s = new CidrSet(blocks);
    const ips: string[] = [];
    for (let i = 0; i < 256; i += 7) ips.push(`192.168.${i}.1`, `172.${i % 40}.0.1`, `fd${(i % 16).toString(16)}2:3456::${i}`);
    ips.push("::ffff:192.168.10.9", "::ffff:172.20.1.1", "::ffff:8.8.8.8", "8.8.8.8");
    for (const ip of ips) expect(s.has(ip)).toBe(blocks.some((b) => cidrContains(b, ip)));
  });
});

describe("clientBlock (login throttling key)", () => {
  it.each<[string, string]>([
    ["198.51.100.7", "198.51.100.7"],
    [" 198.51.100.7 ", "198.51.100.7"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["64:ff9b::198.51.100.7", "198.51.100.7"],
    ["64:ff9b::c633:6408", "198.51.100.8"],
    ["64:ff9b:1::198.51.100.7", "64:ff9b:1::/64"],
    ["2001:db8:1:2::a", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2:0:0:0:1", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::a", "2001:db8:1:3::/64"],
    ["::1", "::/64"],
    ["fe80::1", "fe80::/64"],
    ["unknown", "unknown"],
    ["", ""],
  ])("%s → %s", (input, expected) => {
    expect(clientBlock(input)).toBe(expected);
  });

  it("puts every address of one /64 in one block, and no address of another", () => {
    const inside = Array.from({ length: 50 }, (_, i) => `2001:db8:aa:bb:${(i * 977).toString(16)}::${(i * 31).toString(16)}`);
    expect(new Set(inside.map(clientBlock))).toEqual(new Set(["2001:db8:aa:bb::/64"]));
    expect(clientBlock("2001:db8:aa:bc::1")).not.toBe("2001:db8:aa:bb::/64");
  });
});

describe("canonicalIp (door targets, pcap filter hosts)", () => {
  it.each<[string, string | null]>([
    ["10.0.0.1", "10.0.0.1"],
    [" 10.0.0.1 ", "10.0.0.1"],
    // inet_pton refuses leading zeros ("010" is octal to some tools): so does every parser here
    ["010.000.0.1", null],
    ["255.255.255.255", "255.255.255.255"],
    ["256.0.0.1", null],
    ["1.2.3", null],
    ["1.2.3.4.5", null],
    ["::1", "::1"],
    ["::", "::"],
    ["1::", "1::"],
    ["FD00:0000::0050", "fd00::50"],
    ["fd00:0:0:0:0:0:0:50", "fd00::50"],
    ["fe80::1%eth0", "fe80::1"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1::2::3", null],
    ["1:2:3:4:5:6:7::8", null],
    ["12345::1", null],
    ["g::1", null],
    ["::ffff:300.0.0.1", null],
    ["10.0.0.1%eth0", null],
    ["", null],
    ["example.org", null],
  ])("%s → %s", (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it("gives one text for every spelling of an address", () => {
    const spellings = ["fd00::50", "FD00:0:0:0:0:0:0:50", "fd00:0000:0000::0050", "fd00::0:50"];
    expect(new Set(spellings.map(canonicalIp))).toEqual(new Set(["fd00::50"]));
  });
});
