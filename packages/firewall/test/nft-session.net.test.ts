import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, must, type TestNet } from "@sesame/testkit";
import { FirewallError, NftablesBackend } from "../src/index";
import { NftSession } from "../src/nft-session";
import { EMPTY, SSH } from "./backend-suite";

describe("persistent nft -i session (hot path for grants and bans)", () => {
  let net: TestNet;
  beforeAll(async () => {
    net = await createTestNet({ tag: "fws" });
  });
  afterAll(async () => {
    await net?.destroy();
  });

  it("reports a refused line as FirewallError and keeps serving the next ones, also after close()", async () => {
    await must(["nft", "add", "table", "inet", "s1"], { ns: net.server });
    await must(["nft", "add", "set", "inet", "s1", "g", "{ type ipv4_addr; flags timeout; }"], { ns: net.server });
    const session = new NftSession(["ip", "netns", "exec", net.server, "nft", "-i"]);
    const err = await session.apply("add element inet s1 nosuch { 10.9.9.9 }").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FirewallError);
    expect((err as FirewallError).stderr).toMatch(/No such file or directory/);
    // An error aborts the whole line: the first command of a failing line is not applied either.
    await expect(session.apply("add element inet s1 g { 10.9.9.1 }\nadd element inet s1 nosuch { 10.9.9.2 }")).rejects.toBeInstanceOf(FirewallError);
    await session.apply("add element inet s1 g { 10.9.9.3 timeout 60s }");
    session.close();
    await session.apply("add element inet s1 g { 10.9.9.4 timeout 60s }");
    session.close();
    const listed = await must(["nft", "list", "set", "inet", "s1", "g"], { ns: net.server });
    expect(listed).toContain("10.9.9.3");
    expect(listed).toContain("10.9.9.4");
    expect(listed).not.toContain("10.9.9.1");
  });

  it("applies a burst of 200 grants without a process per grant", async () => {
    const fw = new NftablesBackend({ netns: net.server });
    await fw.reconcile({ ...EMPTY, protectedPorts: [SSH] }, Date.now());
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => fw.grant(`10.77.${i >> 8}.${i & 255}`, [SSH], 60)));
    const ms = performance.now() - t0;
    const snap = await fw.inspect();
    expect(snap.grants).toHaveLength(200);
    // One nft spawn per grant costs 5–50 ms each (≥ 1 s for 200); through the session it is ~0.1–1 ms each.
    expect(ms).toBeLessThan(1000);
    await fw.destroy();
  });
});
