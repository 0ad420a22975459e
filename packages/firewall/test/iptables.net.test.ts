import { expect, it } from "vitest";
import { must } from "@sesame/testkit";
import { FirewallError, IptablesBackend } from "../src/index";
import { EMPTY, SSH, describeKernelBackend } from "./backend-suite";

describeKernelBackend("iptables + ipset backend (real iptables/ipset in a namespace)", "fwi", (net) => new IptablesBackend({ netns: net.server }), (ctx) => {
  it("keeps exactly one INPUT jump and one set entry per grant, and never ACCEPTs for the host", async () => {
    const { net, fw } = ctx();
    await fw.reconcile({ ...EMPTY, protectedPorts: [SSH] }, Date.now());
    await fw.grant(net.clientIp, [SSH], 30);
    await fw.grant(net.clientIp, [SSH], 30);
    const input = await must(["iptables", "-S", "INPUT"], { ns: net.server });
    expect(input.split("\n").filter((l) => l.includes("-j SESAME"))).toEqual(["-A INPUT -j SESAME"]);
    expect(await must(["ip6tables", "-S", "INPUT"], { ns: net.server })).toContain("-A INPUT -j SESAME");
    const saved = await must(["ipset", "save", "sesame-grants4"], { ns: net.server });
    expect(saved.split("\n").filter((l) => l.startsWith("add "))).toHaveLength(1);
    // The host's own INPUT rules still apply after Sesame lets a packet through.
    await must(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"], { ns: net.server });
    expect(await net.connects(22)).toBe(false);
    await must(["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"], { ns: net.server });
    expect(await net.connects(22)).toBe(true);
  });

  it("adopts trusted sets an older Sesame made without timeouts, in use by its rules, and expires their entries", async () => {
    const { net, fw } = ctx();
    await fw.destroy();
    // The older layout: trusted sets without timeouts, referenced by the gate chain.
    await must(["ipset", "create", "sesame-trusted4", "hash:net", "family", "inet"], { ns: net.server });
    await must(["ipset", "create", "sesame-trusted6", "hash:net", "family", "inet6"], { ns: net.server });
    await must(["ipset", "add", "sesame-trusted4", `${net.subnet}.0.0/16`], { ns: net.server });
    await must(["iptables", "-N", "SESAME-GATE"], { ns: net.server });
    await must(["iptables", "-A", "SESAME-GATE", "-m", "set", "--match-set", "sesame-trusted4", "src", "-j", "RETURN"], { ns: net.server });
    const now = Date.now();
    await fw.reconcile({ ...EMPTY, protectedPorts: [SSH], trusted: [{ cidr: net.clientIp, expiresAt: now + 2000 }] }, now);
    expect(await must(["ipset", "list", "-t", "sesame-trusted4"], { ns: net.server })).toMatch(/Header: .*timeout 0/);
    expect(await net.connectsAll([[22], [22, { localAddress: net.clientExtraIps[0] }]])).toEqual([true, false]);
    await new Promise((r) => setTimeout(r, 2300));
    expect(await net.connects(22)).toBe(false);
  });

  it("destroy removes the jump, the chains and the sets, and can run twice", async () => {
    const { net, fw } = ctx();
    await fw.destroy();
    await fw.destroy();
    expect(await must(["iptables", "-S"], { ns: net.server })).not.toContain("SESAME");
    expect(await must(["ip6tables", "-S"], { ns: net.server })).not.toContain("SESAME");
    expect((await must(["ipset", "list", "-n"], { ns: net.server })).trim()).toBe("");
    expect(await net.connects(22)).toBe(true);
  });

  it("failures surface as FirewallError with argv, exit code and stderr", async () => {
    const { net, fw } = ctx();
    const missing = new IptablesBackend({ netns: net.server, ipsetPath: "/nonexistent/ipset" });
    const e1 = await missing.grant(net.clientIp, [SSH], 5).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(FirewallError);
    expect((e1 as FirewallError).stderr).toMatch(/No such file/);

    const other = new IptablesBackend({ netns: net.server, setPrefix: "absent" });
    const e2 = await other.grant(net.clientIp, [SSH], 5).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(FirewallError);
    expect((e2 as FirewallError).exitCode).not.toBe(0);
    expect((e2 as FirewallError).stderr).toMatch(/does not exist/);
    expect((e2 as FirewallError).message).toContain("add absent-grants4");
    expect((e2 as FirewallError).argv).toEqual(expect.arrayContaining(["ipset", "-exist", "restore"]));

    expect(() => new IptablesBackend({ chain: "X -j ACCEPT" })).toThrow(RangeError);
    await expect(fw.ban("10.0.0.1 timeout 0\nflush", 5)).rejects.toThrow(RangeError);
  });
});
