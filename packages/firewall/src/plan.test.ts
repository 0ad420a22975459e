import type { FirewallState, Step } from "@sesame/core";
import { describe, expect, it } from "vitest";
import { planState } from "./plan";

const NOW = 1_700_000_000_000;
const P22: Step[] = [{ port: 22, protocol: "tcp" }];
const bad = <T>(x: unknown): T => x as T;

describe("planState leaves out what is malformed, never throws", () => {
  it.each<{ name: string; grants: FirewallState["grants"]; refused: string[] }>([
    { name: "address out of range", grants: [{ ip: "999.1.1.1", ports: P22, expiresAt: NOW + 1000 }], refused: ['grant "999.1.1.1": invalid IP address'] },
    { name: "not an address", grants: [{ ip: "10.0.0.1; flush ruleset", ports: P22, expiresAt: NOW + 1000 }], refused: ['grant "10.0.0.1; flush ruleset": invalid IP address'] },
    { name: "expiry not a number", grants: [{ ip: "10.0.0.1", ports: P22, expiresAt: bad<number>("abc") }], refused: ['grant 10.0.0.1: invalid expiry "abc"'] },
    { name: "expiry infinite", grants: [{ ip: "10.0.0.1", ports: P22, expiresAt: Number.POSITIVE_INFINITY }], refused: ["grant 10.0.0.1: invalid expiry null"] },
    { name: "port out of range", grants: [{ ip: "10.0.0.1", ports: [{ port: 70000, protocol: "tcp" }], expiresAt: NOW + 1000 }], refused: ["grant 10.0.0.1: invalid port 70000"] },
    { name: "unknown protocol", grants: [{ ip: "10.0.0.1", ports: bad<Step[]>([{ port: 22, protocol: "sctp" }]), expiresAt: NOW + 1000 }], refused: ['grant 10.0.0.1: invalid protocol "sctp"'] },
  ])("grant: $name", ({ grants, refused }) => {
    const good = { ip: "10.0.0.2", ports: P22, expiresAt: NOW + 5000 };
    const plan = planState({ protectedPorts: P22, trusted: [], grants: [...grants, good], bans: [] }, NOW);
    expect(plan.refused).toEqual(refused);
    expect(plan.grants.map((g) => g.ip)).toEqual(["10.0.0.2"]);
    expect(plan.protectedPorts).toEqual(P22);
  });

  it("a bad ban, trusted network or protected port is left out alone", () => {
    const plan = planState(
      {
        protectedPorts: [{ port: 0, protocol: "tcp" }, ...P22],
        trusted: [
          { cidr: "10.0.0.0/33", expiresAt: null },
          { cidr: "10.1.0.0/16", expiresAt: null },
          { cidr: "10.3.0.0/16", expiresAt: Number.NaN },
        ],
        grants: [],
        bans: [{ ip: "1.2.3", expiresAt: NOW + 1000 }, { ip: "192.0.2.1", expiresAt: NOW + 1000 }],
      },
      NOW,
    );
    expect(plan.refused).toEqual([
      'ban "1.2.3": invalid IP address',
      'trusted "10.0.0.0/33": invalid network',
      "trusted 10.3.0.0/16: invalid expiry null",
      "protected port: invalid port 0",
    ]);
    expect(plan.protectedPorts).toEqual(P22);
    expect(plan.trusted[4].map((t) => t.network.text)).toEqual(["10.1.0.0/16"]);
    expect(plan.bans.map((b) => b.ip)).toEqual(["192.0.2.1"]);
  });

  it("one trusted entry per network: the latest expiry wins, never (null) over any time; expired ones left out", () => {
    const plan = planState(
      {
        protectedPorts: [],
        trusted: [
          { cidr: "10.1.0.0/16", expiresAt: NOW + 1000 },
          { cidr: "10.1.0.9/16", expiresAt: NOW + 5000 },
          { cidr: "10.2.0.0/16", expiresAt: NOW + 1000 },
          { cidr: "10.2.0.0/16", expiresAt: null },
          { cidr: "10.2.0.0/16", expiresAt: NOW + 9000 },
          { cidr: "10.3.0.0/16", expiresAt: NOW },
        ],
        grants: [],
        bans: [],
      },
      NOW,
    );
    expect(plan.trusted[4].map((t) => [t.network.text, t.expiresAt])).toEqual([
      ["10.1.0.0/16", NOW + 5000],
      ["10.2.0.0/16", null],
    ]);
  });

  it("expiries past maxTtlMs are shortened to it", () => {
    const plan = planState({ protectedPorts: [], trusted: [], grants: [{ ip: "10.0.0.2", ports: P22, expiresAt: Date.UTC(9999, 0, 1) }], bans: [{ ip: "10.0.0.3", expiresAt: NOW + 10_000 }] }, NOW, 5000);
    expect(plan.grants[0]?.expiresAt).toBe(NOW + 5000);
    expect(plan.bans[0]?.expiresAt).toBe(NOW + 5000);
  });
});
