import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "@sesame/core";
import { openTcpSession } from "@sesame/testkit";
import type { FirewallBackend } from "../src/index";
import { setUpNet, sleep, type FirewallTestNet } from "./helpers";

export const SSH: Step = { port: 22, protocol: "tcp" };
export const EMPTY = { protectedPorts: [], trusted: [], grants: [], bans: [], forwards: [] };

/** What each test file gets: the namespaces and the backend under test. */
export interface SuiteContext {
  net: FirewallTestNet;
  fw: FirewallBackend;
}

/**
 * The behaviour every kernel-timeout backend (nftables, iptables+ipset) must
 * show, checked with real TCP handshakes between two namespaces. `extra`
 * adds backend-specific tests inside the same describe (same namespaces).
 */
export function describeKernelBackend(title: string, tag: string, make: (net: FirewallTestNet) => FirewallBackend, extra: (ctx: () => SuiteContext) => void): void {
  describe(title, () => {
    let net: FirewallTestNet;
    let fw: FirewallBackend;

    beforeAll(async () => {
      net = await setUpNet(tag);
      fw = make(net);
    });
    afterAll(async () => {
      await fw?.destroy().catch(() => undefined);
      await net?.teardown();
    });
    beforeEach(async () => {
      await fw.reconcile({ ...EMPTY, protectedPorts: [SSH] }, Date.now());
    });

  it("drops a protected port, leaves other ports alone, and an empty protected set drops nothing", async () => {
    expect(await net.connectsAll([[22], [22, { v6: true }], [2222], [2222, { v6: true }]])).toEqual([false, false, true, true]);
    await fw.setProtected([]);
    expect((await fw.inspect()).protectedPorts).toEqual([]);
    expect(await net.connects(22)).toBe(true);
    await fw.setProtected([SSH, { port: 53, protocol: "udp" }]);
    expect((await fw.inspect()).protectedPorts).toEqual(expect.arrayContaining([SSH, { port: 53, protocol: "udp" }]));
    expect(await net.connects(22)).toBe(false);
  });

  it("a grant opens the port and the kernel closes it at expiry on its own", async () => {
    await fw.grant(net.clientIp, [SSH], 2);
    expect(await net.connectsAll([[22], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([true, false]);
    await sleep(2300);
    expect(await net.connects(22)).toBe(false);
    expect((await fw.inspect()).grants).toEqual([]);
  });

  it("a repeated grant refreshes the one element instead of stacking", async () => {
    await fw.grant(net.clientIp, [SSH], 2);
    await fw.grant(net.clientIp, [SSH, SSH], 30);
    await fw.grant(net.clientIp, [{ port: 53, protocol: "udp" }], 30);
    const { grants } = await fw.inspect();
    const ssh = grants.filter((g) => g.port === 22);
    expect(ssh).toHaveLength(1);
    expect(ssh[0]).toMatchObject({ ip: net.clientIp, protocol: "tcp" });
    expect(ssh[0]!.expiresInMs).toBeGreaterThan(25_000);
    expect(grants.filter((g) => g.protocol === "udp")).toHaveLength(1);
  });

  it("revoke closes (missing elements are fine) and an established session survives it", async () => {
    await fw.grant(net.clientIp, [SSH], 30);
    const session = await openTcpSession(net.client, net.serverIp, 22);
    try {
      expect(await session.exchange("before")).toBe(true);
      await fw.revoke(net.clientIp);
      expect(await net.connects(22)).toBe(false);
      expect(await session.exchange("after-revoke")).toBe(true);
    } finally {
      await session.close();
    }
    await fw.revoke(net.clientIp, [SSH, { port: 80, protocol: "tcp" }]);
    await fw.grant(net.clientIp, [SSH, { port: 2222, protocol: "tcp" }], 30);
    await fw.revoke(net.clientIp, [{ port: 2222, protocol: "tcp" }]);
    expect((await fw.inspect()).grants.map((g) => g.port)).toEqual([22]);
  });

  it("a ban drops even a granted address, unban restores the grant", async () => {
    await fw.grant(net.clientIp, [SSH], 30);
    await fw.ban(net.clientIp, 30);
    await fw.ban(net.clientIp, 40);
    expect(await net.connects(22)).toBe(false);
    const { bans } = await fw.inspect();
    expect(bans).toHaveLength(1);
    expect(bans[0]!.expiresInMs).toBeGreaterThan(35_000);
    await fw.unban(net.clientIp);
    await fw.unban(net.clientIp);
    expect(await net.connects(22)).toBe(true);
  });

  it("trusted networks connect without a grant, only inside the CIDR", async () => {
    const v6net = `${net.serverIp6.replace(/::1$/, "::")}/64`;
    await fw.setTrusted([{ cidr: `${net.subnet}.0.0/24`, expiresAt: null }, { cidr: v6net, expiresAt: null }], Date.now());
    expect(await net.connectsAll([[22], [22, { v6: true }], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([true, true, false]);
    expect((await fw.inspect()).trusted.map((t) => t.cidr).sort()).toEqual([`${net.subnet}.0.0/24`, v6net].sort());
    await fw.setTrusted([], Date.now());
    expect(await net.connects(22)).toBe(false);
  });

  it("an expiring trusted network leaves the kernel by itself when due; a permanent one inside it stays", async () => {
    const now = Date.now();
    // The /16 covers the client and the extra address (x.1.1); the extra address is also trusted for good.
    await fw.setTrusted([{ cidr: `${net.subnet}.0.0/16`, expiresAt: now + 2000 }, { cidr: net.clientExtraIps[0]!, expiresAt: null }], now);
    expect(await net.connectsAll([[22], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([true, true]);
    const held = (await fw.inspect()).trusted;
    expect(held.find((t) => t.cidr === net.clientExtraIps[0])?.expiresInMs).toBeNull();
    expect(held.filter((t) => t.expiresInMs !== null).every((t) => t.expiresInMs! <= 2000)).toBe(true);
    await sleep(2300);
    expect(await net.connectsAll([[22], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([false, true]);
    expect((await fw.inspect()).trusted.map((t) => t.cidr)).toEqual([net.clientExtraIps[0]]);
  });

  it("IPv6: grant, ban and revoke work on the v6 sets", async () => {
    await fw.grant(net.clientIp6, [SSH], 30);
    expect(await net.connectsAll([[22, { v6: true }], [22]])).toEqual([true, false]);
    await fw.ban(net.clientIp6, 30);
    expect(await net.connects(22, { v6: true })).toBe(false);
    await fw.unban(net.clientIp6);
    await fw.revoke(net.clientIp6);
    expect(await net.connects(22, { v6: true })).toBe(false);
  });

  it("reconcile rebuilds everything with the remaining time, skips expired entries and is idempotent", async () => {
    const now = Date.now();
    const state = {
      protectedPorts: [SSH],
      trusted: [{ cidr: `${net.clientExtraIps[0]}/32`, expiresAt: now + 40_000 }, { cidr: `${net.clientIp6}/128`, expiresAt: now - 1 }],
      grants: [
        { ip: net.clientIp, ports: [SSH], expiresAt: now + 20_000 },
        { ip: net.clientIp, ports: [SSH], expiresAt: now + 30_000 },
        { ip: net.clientIp6, ports: [SSH], expiresAt: now - 1 },
      ],
      bans: [{ ip: "192.0.2.9", expiresAt: now + 60_000 }, { ip: "192.0.2.10", expiresAt: now - 5 }],
    };
    await fw.grant("192.0.2.50", [SSH], 30);
    await fw.destroy();
    await fw.destroy();
    expect(await net.connects(22)).toBe(true);
    await fw.reconcile(state, now);
    await fw.reconcile(state, now);
    const snap = await fw.inspect();
    expect(snap.grants).toHaveLength(1);
    expect(snap.grants[0]).toMatchObject({ ip: net.clientIp, port: 22, protocol: "tcp" });
    expect(snap.grants[0]!.expiresInMs).toBeGreaterThan(25_000);
    expect(snap.grants[0]!.expiresInMs).toBeLessThanOrEqual(30_000);
    expect(snap.bans.map((b) => b.ip)).toEqual(["192.0.2.9"]);
    expect(snap.trusted.map((t) => t.cidr)).toEqual([net.clientExtraIps[0]]);
    expect(snap.trusted[0]!.expiresInMs).toBeGreaterThan(35_000);
    expect(snap.trusted[0]!.expiresInMs).toBeLessThanOrEqual(40_000);
    expect(await net.connectsAll([[22], [22, { v6: true }], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([true, false, true]);
  });

  it("reconcile from nothing with malformed entries and absurd timeouts: the port is dropped, the good entries are in", async () => {
    const now = Date.now();
    await fw.destroy();
    const report = await fw.reconcile(
      {
        protectedPorts: [SSH],
        trusted: [{ cidr: "10.0.0.0/33", expiresAt: null }],
        grants: [
          { ip: "999.1.1.1", ports: [SSH], expiresAt: now + 30_000 },
          { ip: net.clientIp, ports: [{ port: 70000, protocol: "tcp" }], expiresAt: now + 30_000 },
          { ip: net.clientIp, ports: [SSH], expiresAt: Date.UTC(9999, 0, 1) },
          { ip: net.clientExtraIps[0]!, ports: [SSH], expiresAt: Number.NaN },
        ],
        // Two days: more than nft takes as one count of ms (1e8 ms = 27.8 h).
        bans: [{ ip: net.clientExtraIps[0]!, expiresAt: now + 2 * 86_400_000 }, { ip: "1.2.3", expiresAt: now + 1000 }],
      },
      now,
    );
    expect(report.refused).toHaveLength(5);
    const snap = await fw.inspect();
    expect(snap.grants.map((g) => g.ip)).toEqual([net.clientIp]);
    expect(snap.bans.map((b) => b.ip)).toEqual([net.clientExtraIps[0]]);
    expect(snap.bans[0]!.expiresInMs).toBeGreaterThan(86_400_000);
    expect(await net.connectsAll([[22], [22, { localAddress: net.clientExtraIps[0] }], [22, { v6: true }]])).toEqual([true, false, false]);
  });

    extra(() => ({ net, fw }));
  });
}
