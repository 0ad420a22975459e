import type { FirewallState } from "@sesame/core";
import { describe, expect, it } from "vitest";
import type { ExecFn } from "./exec";
import { IptablesBackend } from "./iptables";

// reconcile's order and fallback with fake iptables/ipset programs: the
// chains (the protected ports' drop) go in before any set content, and an
// entry ipset refuses costs only that entry.

const NOW = 1_700_000_000_000;

function fakeTools(refuse: string, listing = "") {
  const calls: string[] = [];
  const exec: ExecFn = (argv, input = "") => {
    const text = `${argv.join(" ")}${input ? `\n${input}` : ""}`;
    calls.push(text);
    if (argv[0] === "ipset" && input.includes(refuse)) return Promise.resolve({ code: 1, stdout: "", stderr: "ipset v7.17: Error in line 4: Syntax error" });
    if (argv.join(" ") === "ipset list -t") return Promise.resolve({ code: 0, stdout: listing, stderr: "" });
    // `-C INPUT -j SESAME`: the jump is absent on a fresh host.
    return Promise.resolve({ code: argv.includes("-C") ? 1 : 0, stdout: "", stderr: "" });
  };
  return { calls, backend: new IptablesBackend({ exec, ipv6: false }) };
}

const state: FirewallState = {
  protectedPorts: [{ port: 22, protocol: "tcp" }],
  trusted: [],
  grants: [
    { ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 5000 },
    { ip: "10.66.0.1", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 5000 },
  ],
  bans: [],
};

describe("IptablesBackend.reconcile", () => {
  it("sets created, then chains and the jump, then set contents; a refused entry is rebuilt around", async () => {
    const { calls, backend } = fakeTools("10.66.0.1");
    const report = await backend.reconcile(state, NOW);
    const first = (re: RegExp): number => calls.findIndex((c) => re.test(c));
    expect(calls[0]).toBe("ipset list -t");
    expect(first(/^ipset -exist restore\ncreate sesame-grants4 hash:ip,port/)).toBe(1);
    expect(first(/^iptables-restore -w --noflush\n[\s\S]*--dport 22 -j SESAME-GATE/)).toBe(2);
    expect(first(/^iptables -w -I INPUT 1 -j SESAME/)).toBeLessThan(first(/add sesame-grants4-new 10\.0\.0\.2/));
    expect(calls.filter((c) => /^ipset -exist restore\nadd sesame-grants4-new \S+ timeout 5\n$/.test(c))).toHaveLength(2);
    expect(calls.at(-1)).toBe("ipset -exist restore\nswap sesame-grants4-new sesame-grants4\ndestroy sesame-grants4-new\n");
    expect(report.refused).toEqual([expect.stringMatching(/^sesame-grants4 10\.66\.0\.1,tcp:22 timeout 5: ipset failed/)]);
  });
});

describe("IptablesBackend: trusted sets of an older Sesame (no timeouts)", () => {
  const listing = [
    "Name: sesame-trusted4\nType: hash:net\nRevision: 7\nHeader: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1\nSize in memory: 504\nReferences: 1\nNumber of entries: 1",
    "Name: sesame-grants4\nType: hash:ip,port\nRevision: 6\nHeader: family inet hashsize 1024 maxelem 65536 timeout 0 bucketsize 12 initval 0x2\nSize in memory: 200\nReferences: 1\nNumber of entries: 0",
    "",
  ].join("\n\n");

  it("are swapped for sets with timeouts before anything is created, then filled with remaining times", async () => {
    const { calls, backend } = fakeTools("never", listing);
    await backend.reconcile({ ...state, trusted: [{ cidr: "10.9.0.0/16", expiresAt: NOW + 60_500 }, { cidr: "10.8.0.0/16", expiresAt: null }] }, NOW);
    expect(calls[1]).toBe(
      "ipset -exist restore\ncreate sesame-trusted4-new hash:net family inet timeout 0\nswap sesame-trusted4-new sesame-trusted4\ndestroy sesame-trusted4-new\n",
    );
    expect(calls.find((c) => c.includes("add sesame-trusted4-new"))).toMatch(/add sesame-trusted4-new 10\.9\.0\.0\/16 timeout 61\nadd sesame-trusted4-new 10\.8\.0\.0\/16 timeout 0\n/);
  });
});
