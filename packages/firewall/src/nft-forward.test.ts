import type { FirewallState, ForwardSpec } from "@sesame/core";
import { describe, expect, it } from "vitest";
import { CommandBackend } from "./command";
import type { ExecFn } from "./exec";
import { planForwards } from "./forward-plan";
import { IptablesBackend } from "./iptables";
import { buildForwardsScript } from "./nft-forward";
import { parseNftTable } from "./nft-parse";
import { buildStructureScript } from "./nft-script";
import { NftablesBackend } from "./nftables";

const NOW = 1_700_000_000_000;
const WEB: ForwardSpec = { protocol: "tcp", port: 8080, toAddress: "10.9.0.5", toPort: 80, dnat: true };
const SSH_ROUTED: ForwardSpec = { protocol: "tcp", port: 22, toAddress: "10.9.0.6", toPort: 22, dnat: false };
const DNS6: ForwardSpec = { protocol: "udp", port: 53, toAddress: "FD00:9::0:5", toPort: 5353, dnat: true };

describe("planForwards", () => {
  it.each<[string, ForwardSpec[], string[], string[]]>([
    ["canonical address, family from it", [DNS6], ["fd00:9::5"], []],
    ["identical forwards collapse", [WEB, { ...WEB }], ["10.9.0.5"], []],
    ["bad inside address", [{ ...WEB, toAddress: "10.9.0.999" }], [], ["forward tcp/8080 -> 10.9.0.999:80: invalid inside address"]],
    ["bad port", [{ ...WEB, port: 0 }], [], ["forward tcp/0 -> 10.9.0.5:80: invalid port 0"]],
    ["bad protocol", [{ ...WEB, protocol: "icmp" as "tcp" }], [], ["forward icmp/8080 -> 10.9.0.5:80: invalid protocol \"icmp\""]],
    ["without dnat the port is the inside port", [{ ...SSH_ROUTED, toPort: 2222 }], [], ["forward tcp/22 -> 10.9.0.6:2222: without dnat the inside port must be the port (22, not 2222)"]],
    [
      "a second dnat of the same public port is refused (one map key)",
      [WEB, { ...WEB, toAddress: "10.9.0.7" }],
      ["10.9.0.5"],
      ["forward tcp/8080 -> 10.9.0.7:80: tcp/8080 is already forwarded to 10.9.0.5:80"],
    ],
    ["the same public port for IPv4 and IPv6 inside hosts is two keys", [WEB, { ...WEB, toAddress: "fd00:9::8" }], ["10.9.0.5", "fd00:9::8"], []],
  ])("%s", (_name, input, addresses, refused) => {
    const plan = planForwards(input);
    expect(plan.forwards.map((f) => f.toAddress)).toEqual(addresses);
    expect(plan.refused).toEqual(refused);
  });
});

describe("buildForwardsScript", () => {
  const planned = planForwards([WEB, SSH_ROUTED, DNS6]).forwards;
  const script = buildForwardsScript("sesame", -10, planned, { nat: true, fresh: false });

  it.each([
    ["gated destinations are post-NAT (inside address . protocol . inside port)", /add element inet sesame forwarded4 \{ 10\.9\.0\.5 \. tcp \. 80, 10\.9\.0\.6 \. tcp \. 22 \}/],
    ["dnat maps public (protocol . port) to inside (address . port)", /add element inet sesame dnat4 \{ tcp \. 8080 : 10\.9\.0\.5 \. 80 \}/],
    ["IPv6 inside hosts in the IPv6 map", /add element inet sesame dnat6 \{ udp \. 53 : fd00:9::5 \. 5353 \}/],
    ["set contents are replaced", /^flush set inet sesame forwarded4\nflush map inet sesame dnat4\n/],
    ["the forward hook at the backend's priority", /add chain inet sesame forward \{ type filter hook forward priority -10; policy accept; \}\nflush chain inet sesame forward\n/],
    [
      "established first, then the forwarded destinations to fgate",
      /add rule inet sesame forward ct state established,related accept\nadd rule inet sesame forward ip daddr \. meta l4proto \. th dport @forwarded4 jump fgate\nadd rule inet sesame forward ip6 daddr/,
    ],
    ["dnat only towards this host's own addresses", /add rule inet sesame prerouting fib daddr type local dnat ip to meta l4proto \. th dport map @dnat4\n/],
  ])("%s", (_name, re) => {
    expect(script).toMatch(re);
  });

  it("no forwards: both hooked chains removed (add first so the delete cannot fail)", () => {
    expect(buildForwardsScript("t", -10, [], { nat: true, fresh: false })).toBe(
      [
        "flush set inet t forwarded4",
        "flush map inet t dnat4",
        "flush set inet t forwarded6",
        "flush map inet t dnat6",
        "add chain inet t forward { type filter hook forward priority -10; policy accept; }",
        "flush chain inet t forward",
        "delete chain inet t forward",
        "add chain inet t prerouting { type nat hook prerouting priority dstnat; policy accept; }",
        "flush chain inet t prerouting",
        "delete chain inet t prerouting",
        "",
      ].join("\n"),
    );
  });

  it("fresh table and no forwards: nothing at all (no hook is registered on a host that is no gateway)", () => {
    expect(buildForwardsScript("t", -10, [], { nat: true, fresh: true })).toBe("");
  });

  it("routed forwards only: a forward hook, no nat chain", () => {
    const s = buildForwardsScript("t", -10, planForwards([SSH_ROUTED]).forwards, { nat: true, fresh: true });
    expect(s).toContain("add chain inet t forward {");
    expect(s).not.toMatch(/add chain inet t prerouting|dnat4 \{/);
  });

  it("nat refused: the gate stays, nothing is rewritten", () => {
    const s = buildForwardsScript("t", -10, planForwards([WEB]).forwards, { nat: false, fresh: false });
    expect(s).toContain("add element inet t forwarded4 { 10.9.0.5 . tcp . 80 }");
    expect(s).toContain("flush map inet t dnat4");
    expect(s).not.toMatch(/add element inet t dnat4|prerouting/);
  });
});

describe("structure: gateway sets and fgate", () => {
  const s = buildStructureScript("sesame", -10, []);
  it.each([
    ["forwarded sets and dnat maps", /set forwarded4 \{ type ipv4_addr \. inet_proto \. inet_service; \}[\s\S]*map dnat6 \{ type inet_proto \. inet_service : ipv6_addr \. inet_service; \}/],
    [
      "fgate: banned, trusted, then grants by the pre-NAT port (one rule per protocol), drop",
      /chain fgate \{\n {4}ip saddr @banned4 drop\n.*\n {4}ip saddr @trusted4 accept\n.*\n {4}meta l4proto tcp ip saddr \. meta l4proto \. ct original proto-dst @grants4 accept\n {4}meta l4proto udp ip saddr[^\n]*@grants4 accept\n {4}meta l4proto tcp ip6 saddr[^\n]*@grants6 accept\n {4}meta l4proto udp ip6 saddr[^\n]*@grants6 accept\n {4}drop\n {2}\}/,
    ],
  ])("%s", (_name, re) => {
    expect(s).toMatch(re);
  });
  it("no hooked gateway chain in the structure itself", () => {
    expect(s).not.toMatch(/hook forward|hook prerouting/);
  });
});

describe("parseNftTable: forwards", () => {
  it("dnat map entries and the routed destinations no dnat entry explains", () => {
    const doc = {
      nftables: [
        { set: { name: "forwarded4", elem: [{ concat: ["10.9.0.5", "tcp", 80] }, { concat: ["10.9.0.6", "tcp", 22] }] } },
        { set: { name: "forwarded6", elem: [{ concat: ["fd00:9::5", "udp", 5353] }] } },
        { map: { name: "dnat4", elem: [[{ concat: ["tcp", 8080] }, { concat: ["10.9.0.5", 80] }]] } },
        { map: { name: "dnat6", elem: [[{ concat: ["udp", 53] }, { concat: ["fd00:9::5", 5353] }]] } },
      ],
    };
    expect(parseNftTable(JSON.stringify(doc)).forwards).toEqual([
      { protocol: "tcp", port: 8080, toAddress: "10.9.0.5", toPort: 80, dnat: true },
      { protocol: "udp", port: 53, toAddress: "fd00:9::5", toPort: 5353, dnat: true },
      { protocol: "tcp", port: 22, toAddress: "10.9.0.6", toPort: 22, dnat: false },
    ]);
  });
});

/** An nftables backend whose nft accepts everything and keeps each script. */
function recordingNft() {
  const scripts: string[] = [];
  const exec: ExecFn = (_argv, input = "") => {
    scripts.push(input);
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  };
  return { scripts, backend: new NftablesBackend({ exec }) };
}

describe("backends and forwards", () => {
  const state: FirewallState = { protectedPorts: [{ port: 22, protocol: "tcp" }], trusted: [], grants: [], bans: [], forwards: [WEB] };
  const ok: ExecFn = (argv) => Promise.resolve({ code: argv.includes("-C") ? 1 : 0, stdout: "", stderr: "" });

  it("nftables: the forwards go in with the structure, in one transaction", async () => {
    const { scripts, backend } = recordingNft();
    expect((await backend.reconcile(state, NOW)).refused).toEqual([]);
    expect(scripts[0]).toMatch(/delete table inet sesame[\s\S]*add element inet sesame protected \{ tcp \. 22 \}\n[\s\S]*add element inet sesame dnat4 \{ tcp \. 8080 : 10\.9\.0\.5 \. 80 \}[\s\S]*add chain inet sesame prerouting/);
  });

  it("nftables: nat refused by the kernel, the structure and the gate still go in and the nat part is reported", async () => {
    const scripts: { text: string; ok: boolean }[] = [];
    const exec: ExecFn = (_a, input = "") => {
      const okay = !input.includes("hook prerouting");
      scripts.push({ text: input, ok: okay });
      return Promise.resolve(okay ? { code: 0, stdout: "", stderr: "" } : { code: 1, stdout: "", stderr: "Error: Could not process rule: No such file or directory" });
    };
    const report = await new NftablesBackend({ exec }).reconcile(state, NOW);
    expect(scripts.map((s) => s.ok)).toEqual([false, true, false, true]);
    expect(scripts[3]!.text).toContain("add element inet sesame forwarded4 { 10.9.0.5 . tcp . 80 }");
    expect(report.refused).toEqual([expect.stringMatching(/^dnat of the forwards \(the forward hook gates them, nothing is rewritten\): nft failed/)]);
  });

  it("nftables: setForwards rejects a malformed forward before any nft run", async () => {
    const { scripts, backend } = recordingNft();
    await expect(backend.setForwards([{ ...WEB, toAddress: "inside" }])).rejects.toThrow(RangeError);
    expect(scripts).toEqual([]);
  });

  it.each([
    ["iptables", () => new IptablesBackend({ exec: ok, ipv6: false })],
    ["command", () => new CommandBackend({ exec: ok, templates: { grant: [["true"]], revoke: [["true"]] } })],
  ] as const)("%s refuses gateway mode in one sentence, and takes an empty list", async (name, make) => {
    const backend = make();
    const why = `gateway mode needs the nftables backend: ${name} cannot forward, 1 forward left out`;
    await expect(backend.setForwards([WEB])).rejects.toThrow(why);
    await expect(backend.setForwards([])).resolves.toBeUndefined();
    const report = await backend.reconcile(state, NOW);
    expect(report.refused).toEqual([why]);
    expect((await backend.inspect()).forwards).toEqual([]);
  });
});
