import { describe, expect, it } from "vitest";
import { listLocalAddresses, parseIpv4DefaultRoutes, parseIpv6DefaultRoutes, probeInterface } from "./net-info";

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
wg0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0
eth1\t00000000\t010300C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
`;

const ROUTE6 = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth2
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

describe("default routes", () => {
  it.each([
    ["ipv4: up default routes only, in order, deduplicated", parseIpv4DefaultRoutes(ROUTE), ["eth0", "eth1"]],
    ["ipv4: header only", parseIpv4DefaultRoutes(ROUTE.split("\n")[0]!), []],
    ["ipv4: garbage", parseIpv4DefaultRoutes("nonsense\n\n1 2 3"), []],
    ["ipv6: default via eth2, not lo's unreachable", parseIpv6DefaultRoutes(ROUTE6), ["eth2"]],
    ["ipv6: empty", parseIpv6DefaultRoutes(""), []],
  ])("%s", (_n, got, want) => {
    expect(got).toEqual(want);
  });
});

describe("host state", () => {
  it("lists canonical local addresses including loopback", () => {
    const all = listLocalAddresses();
    expect(all).toContain("127.0.0.1");
    expect(listLocalAddresses(true).every((a) => !a.includes(":"))).toBe(true);
  });

  it("probes interfaces through /sys", () => {
    expect(probeInterface("lo")).toMatchObject({ exists: true, up: true, linkType: 772 });
    expect(probeInterface("nope-does-not-exist")).toEqual({ exists: false, up: false, ifindex: 0, carrierChanges: 0, linkType: 0 });
    expect(probeInterface("../lo")).toEqual({ exists: false, up: false, ifindex: 0, carrierChanges: 0, linkType: 0 });
  });
});
