import { expect, it } from "vitest";
import { must } from "@sesame/testkit";
import { FirewallError, NftablesBackend } from "../src/index";
import { EMPTY, SSH, describeKernelBackend } from "./backend-suite";

describeKernelBackend("nftables backend (real nft in a namespace)", "fwn", (net) => new NftablesBackend({ netns: net.server }), (ctx) => {
  it("reconcile adopts a table that exists with other content and leaves other tables alone", async () => {
    const { net, fw } = ctx();
    await must(["nft", "-f", "-"], { ns: net.server, input: "table inet other {\n chain c { type filter hook input priority 0; policy accept; }\n}\n" });
    await must(["nft", "add", "rule", "inet", "sesame", "input", "tcp", "dport", "2222", "drop"], { ns: net.server });
    expect(await net.connects(2222)).toBe(false);
    await fw.reconcile({ ...EMPTY, protectedPorts: [SSH] }, Date.now());
    expect(await net.connects(2222)).toBe(true);
    expect(await must(["nft", "list", "tables"], { ns: net.server })).toContain("table inet other");
  });

  it("failures surface as FirewallError with argv, exit code and stderr", async () => {
    const { net, fw } = ctx();
    const missing = new NftablesBackend({ netns: net.server, nftPath: "/nonexistent/nft" });
    const e1 = await missing.grant(net.clientIp, [SSH], 5).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(FirewallError);
    expect((e1 as FirewallError).argv).toEqual(expect.arrayContaining(["/nonexistent/nft"]));
    expect((e1 as FirewallError).stderr).toMatch(/No such file/);

    const noTable = new NftablesBackend({ netns: net.server, table: "sesame_absent" });
    const e2 = await noTable.grant(net.clientIp, [SSH], 5).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(FirewallError);
    expect((e2 as FirewallError).exitCode).toBe(1);
    expect((e2 as FirewallError).stderr).toMatch(/sesame_absent/);
    await expect(noTable.inspect()).rejects.toBeInstanceOf(FirewallError);

    expect(() => new NftablesBackend({ table: "x; flush ruleset" })).toThrow(RangeError);
    await expect(fw.grant("10.0.0.1 } ; flush ruleset ; {", [SSH], 5)).rejects.toThrow(RangeError);
  });
});
