import { describe, expect, it } from "vitest";
import { requireNetwork } from "./addr";
import { disjointTrusted } from "./trusted-ranges";

const T = 1_700_000_000_000;
const nets = (xs: [string, number | null][]) => xs.map(([cidr, expiresAt]) => ({ network: requireNetwork(cidr), expiresAt }));

describe("disjointTrusted", () => {
  it.each([
    ["one network", [["10.0.0.0/24", null]], [["10.0.0.0/24", null]]],
    ["disjoint networks keep their own expiry", [["10.0.1.0/24", T + 5], ["10.0.0.0/24", T + 9]], [["10.0.0.0/24", T + 9], ["10.0.1.0/24", T + 5]]],
    ["a permanent network swallows an expiring one inside it", [["10.0.0.0/16", null], ["10.0.5.0/24", T + 5]], [["10.0.0.0/16", null]]],
    [
      "an expiring network around a permanent one: the inside never expires",
      [["10.0.0.0/23", T + 5], ["10.0.1.0/24", null]],
      [["10.0.0.0/24", T + 5], ["10.0.1.0/24", null]],
    ],
    [
      "a longer-lived host inside a shorter-lived network cuts it in pieces",
      [["10.0.0.0/30", T + 5], ["10.0.0.1", T + 9]],
      [["10.0.0.0", T + 5], ["10.0.0.1", T + 9], ["10.0.0.2/31", T + 5]],
    ],
    ["adjacent networks with one expiry become one block", [["10.0.0.0/25", T + 5], ["10.0.0.128/25", T + 5]], [["10.0.0.0/24", T + 5]]],
    ["the whole address space", [["0.0.0.0/0", T + 5], ["10.0.0.0/8", null]], [["0.0.0.0/5", T + 5], ["8.0.0.0/7", T + 5], ["10.0.0.0/8", null], ["11.0.0.0/8", T + 5], ["12.0.0.0/6", T + 5], ["16.0.0.0/4", T + 5], ["32.0.0.0/3", T + 5], ["64.0.0.0/2", T + 5], ["128.0.0.0/1", T + 5]]],
    ["IPv6", [["fd00::/64", T + 5], ["fd00::1", null]], [["fd00::", T + 5], ["fd00::1", null], ["fd00::2/127", T + 5], ["fd00::4/126", T + 5]]],
  ] as [string, [string, number | null][], [string, number | null][]][])("%s", (_name, input, want) => {
    const family = requireNetwork(input[0]![0]).family;
    expect(disjointTrusted(family, nets(input)).map((b) => [b.cidr, b.expiresAt]).slice(0, want.length)).toEqual(want);
  });

  it("every address keeps the latest expiry of the networks covering it (random networks)", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 50; round++) {
      const input = Array.from({ length: 6 }, () => [`10.0.${rand(4)}.${rand(256)}/${22 + rand(11)}`, rand(3) === 0 ? null : T + rand(5)] as [string, number | null]);
      const blocks = disjointTrusted(4, nets(input)).map((b) => ({ n: requireNetwork(b.cidr), expiresAt: b.expiresAt }));
      for (let probe = 0; probe < 200; probe++) {
        const ip = BigInt((10 << 24) + rand(4 * 256 * 4));
        const covering = nets(input).filter((e) => (ip >> BigInt(32 - e.network.prefix)) === (e.network.network >> BigInt(32 - e.network.prefix)));
        const want = covering.length === 0 ? undefined : covering.some((e) => e.expiresAt === null) ? null : Math.max(...covering.map((e) => e.expiresAt!));
        const hits = blocks.filter((b) => (ip >> BigInt(32 - b.n.prefix)) === (b.n.network >> BigInt(32 - b.n.prefix)));
        expect(hits.length).toBeLessThanOrEqual(1);
        expect(hits[0]?.expiresAt).toBe(want);
      }
    }
  });
});
