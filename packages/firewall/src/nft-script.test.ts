import { describe, expect, it } from "vitest";
import { NFT_MAX_TTL_SEC, buildAddScript, buildDeleteScript, buildRefreshScript, buildReplaceScript, buildStructureScript, nftTimeout, planElements, protectedElement } from "./nft-script";
import { parseNftTable } from "./nft-parse";
import { planState } from "./plan";

const NOW = 1_700_000_000_000;

describe("buildStructureScript + planElements", () => {
  const plan = planState(
    {
      protectedPorts: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }],
      trusted: [
        { cidr: "10.2.0.5/16", expiresAt: null },
        { cidr: "fd00:1::9/64", expiresAt: null },
        { cidr: "10.7.0.0/24", expiresAt: NOW + 90_000 },
        { cidr: "10.8.0.0/24", expiresAt: NOW },
      ],
      grants: [
        { ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 30_000 },
        { ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 10_000 },
        { ip: "fd00::2", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 1500 },
        { ip: "10.0.0.3", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW },
      ],
      bans: [{ ip: "192.0.2.1", expiresAt: NOW + 60_000 }],
    },
    NOW,
  );
  const structure = buildStructureScript("sesame", -10, plan.protectedPorts.map(protectedElement));
  const elements = buildAddScript("sesame", planElements(plan, NOW));

  it.each([
    ["replaces the table in one transaction", /^table inet sesame\ndelete table inet sesame\ntable inet sesame \{/],
    ["hooks input at the given priority, policy accept", /type filter hook input priority -10; policy accept;/],
    ["accepts established flows first", /chain input \{\n.*\n {4}ct state established,related accept\n {4}meta l4proto \. th dport @protected jump gate\n {2}\}/],
    ["gate order: banned, trusted, granted, drop", /ip saddr @banned4 drop\n.*\n.*@trusted4 accept\n.*\n.*@grants4 accept\n.*\n {4}drop\n/],
    ["protected elements", /add element inet sesame protected \{ tcp \. 22, udp \. 53 \}\n$/],
  ])("structure: %s", (_name, re) => {
    expect(structure).toMatch(re);
  });

  it("the structure holds no grant, ban or trusted element", () => {
    expect(structure).not.toMatch(/add element inet sesame (grants|banned|trusted)/);
  });

  it.each([
    ["trusted networks with host bits cleared", /trusted4 \{ 10\.2\.0\.0\/16, [^}]*\}[\s\S]*trusted6 \{ fd00:1::\/64 \}/],
    ["an expiring trusted network with its remaining time", /trusted4 \{ [^}]*10\.7\.0\.0\/24 timeout 90s \}/],
    ["the later of two grants wins", /grants4 \{ 10\.0\.0\.2 \. tcp \. 22 timeout 30s \}/],
    ["IPv6 grants with remaining time", /grants6 \{ fd00::2 \. tcp \. 22 timeout 1s500ms \}/],
    ["bans with remaining time, first", /^add element inet sesame banned4 \{ 192\.0\.2\.1 timeout 60s \}\n/],
  ])("elements: %s", (_name, re) => {
    expect(elements).toMatch(re);
  });

  it("skips expired grants and trusted networks", () => {
    expect(elements).not.toContain("10.0.0.3");
    expect(elements).not.toContain("10.8.0.0");
  });

  it("trusted sets have timeouts and no auto-merge (it would give merged networks one timeout)", () => {
    expect(structure).toMatch(/set trusted4 \{ type ipv4_addr; flags interval, timeout; \}/);
    expect(structure).not.toContain("auto-merge");
  });

  it("no timeout reaching nft is past its cap or not a number", () => {
    const wild = planState(
      {
        protectedPorts: [],
        trusted: [],
        grants: [{ ip: "10.0.0.9", ports: [{ port: 22, protocol: "tcp" }], expiresAt: Date.UTC(9999, 0, 1) }],
        bans: [{ ip: "10.0.0.8", expiresAt: Number.NaN }],
      },
      NOW,
      NFT_MAX_TTL_SEC * 1000,
    );
    expect(buildAddScript("sesame", planElements(wild, NOW))).toBe(`add element inet sesame grants4 { 10.0.0.9 . tcp . 22 timeout ${NFT_MAX_TTL_SEC}s }\n`);
    expect(wild.refused).toEqual(["ban 10.0.0.8: invalid expiry null"]);
  });
});

describe("nftTimeout", () => {
  // nft refuses a count of 1e8 or more in any one unit: 100000000ms fails, 31536000s does not.
  it.each([
    [0, "1ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1s500ms"],
    [86_400_000, "86400s"],
    [100_000_000, "100000s"],
    [31_535_999_962, "31535999s962ms"],
    [Number.MAX_SAFE_INTEGER, `${NFT_MAX_TTL_SEC}s`],
  ])("%d ms -> %s", (ms, want) => {
    expect(nftTimeout(ms)).toBe(want);
  });
});

describe("element scripts", () => {
  it.each([
    [
      "refresh: add, delete, add with timeout",
      buildRefreshScript("sesame", "grants4", ["10.0.0.2 . tcp . 22"], 2000),
      "add element inet sesame grants4 { 10.0.0.2 . tcp . 22 }\ndelete element inet sesame grants4 { 10.0.0.2 . tcp . 22 }\nadd element inet sesame grants4 { 10.0.0.2 . tcp . 22 timeout 2s }\n",
    ],
    ["delete tolerates missing elements", buildDeleteScript("t", "banned6", ["fd00::2"]), "add element inet t banned6 { fd00::2 }\ndelete element inet t banned6 { fd00::2 }\n"],
    ["replace with nothing is a flush", buildReplaceScript("t", "trusted4", []), "flush set inet t trusted4\n"],
    ["no elements, no script", buildDeleteScript("t", "grants4", []), ""],
  ])("%s", (_name, got, want) => {
    expect(got).toBe(want);
  });
});

describe("parseNftTable", () => {
  const doc = {
    nftables: [
      { metainfo: { version: "1.0.6" } },
      { table: { family: "inet", name: "sesame" } },
      { set: { name: "protected", elem: [{ concat: ["tcp", 22] }, { concat: ["udp", 53] }] } },
      { set: { name: "trusted4", elem: [{ prefix: { addr: "10.2.0.0", len: 16 } }, "10.3.0.1", { elem: { val: { range: ["10.5.0.0", "10.5.2.255"] }, timeout: 60, expires: 41 } }] } },
      { set: { name: "trusted6", elem: [{ prefix: { addr: "fd00::", len: 64 } }] } },
      { set: { name: "grants4", elem: [{ elem: { val: { concat: ["10.0.0.2", "tcp", 22] }, timeout: 30, expires: 29 } }] } },
      { set: { name: "grants6", elem: [{ concat: ["fd00::2", "udp", 53] }] } },
      { set: { name: "banned4", elem: [{ elem: { val: "192.0.2.1", timeout: 60, expires: 12 } }] } },
      { set: { name: "banned6" } },
      { chain: { name: "input" } },
    ],
  };

  it("maps sets to the snapshot (ranges become CIDRs, expires in ms)", () => {
    expect(parseNftTable(JSON.stringify(doc))).toEqual({
      protectedPorts: [{ protocol: "tcp", port: 22 }, { protocol: "udp", port: 53 }],
      trusted: [
        { cidr: "10.2.0.0/16", expiresInMs: null },
        { cidr: "10.3.0.1", expiresInMs: null },
        { cidr: "10.5.0.0/23", expiresInMs: 41_000 },
        { cidr: "10.5.2.0/24", expiresInMs: 41_000 },
        { cidr: "fd00::/64", expiresInMs: null },
      ],
      grants: [
        { ip: "10.0.0.2", protocol: "tcp", port: 22, expiresInMs: 29_000 },
        { ip: "fd00::2", protocol: "udp", port: 53, expiresInMs: null },
      ],
      bans: [{ ip: "192.0.2.1", expiresInMs: 12_000 }],
      forwards: [],
    });
  });

  it("rejects a document that is not nft JSON", () => {
    expect(() => parseNftTable("{}")).toThrow(/nftables/);
  });
});
