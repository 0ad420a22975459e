import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { must, openTcpSession } from "@sesame/testkit";
import { CommandBackend, FirewallError, type CommandTemplates } from "../src/index";
import { setUpNet, sleep, type FirewallTestNet } from "./helpers";
import { SSH } from "./backend-suite";

/** A knockd user's layout: bans first, then opened ports, then port 22 closed; established flows pass. */
const BASE = (tool: string): string[][] => [
  [tool, "-N", "KNOCK-BAN"],
  [tool, "-N", "KNOCK-OPEN"],
  [tool, "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
  [tool, "-A", "INPUT", "-j", "KNOCK-BAN"],
  [tool, "-A", "INPUT", "-j", "KNOCK-OPEN"],
  [tool, "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"],
];

const rule = (tool: string, op: "-I" | "-D"): string[] => [tool, "-w", op, "KNOCK-OPEN", "-s", "%IP%", "-p", "%PROTO%", "--dport", "%PORT%", "-j", "ACCEPT"];
const banRule = (tool: string, op: "-I" | "-D"): string[] => [tool, "-w", op, "KNOCK-BAN", "-s", "%IP%", "-j", "DROP"];

const TEMPLATES: CommandTemplates = {
  grant: [rule("iptables", "-I")],
  revoke: [rule("iptables", "-D")],
  ban: [banRule("iptables", "-I")],
  unban: [banRule("iptables", "-D")],
  grant6: [rule("ip6tables", "-I")],
  revoke6: [rule("ip6tables", "-D")],
  ban6: [banRule("ip6tables", "-I")],
  unban6: [banRule("ip6tables", "-D")],
};

describe("command backend (knockd-style iptables templates in a namespace)", () => {
  let net: FirewallTestNet;
  let fw: CommandBackend;
  const errors: { err: FirewallError; context: string }[] = [];
  const make = (templates = TEMPLATES): CommandBackend =>
    new CommandBackend({ netns: net.server, templates, onError: (err, context) => errors.push({ err, context }) });
  const openRules = async (tool = "iptables"): Promise<string[]> =>
    (await must([tool, "-S", "KNOCK-OPEN"], { ns: net.server })).split("\n").filter((l) => l.startsWith("-A"));

  beforeAll(async () => {
    net = await setUpNet("fwc");
    for (const tool of ["iptables", "ip6tables"]) for (const argv of BASE(tool)) await must(argv, { ns: net.server });
  });
  afterAll(async () => {
    await net?.teardown();
  });
  beforeEach(() => {
    fw = make();
    errors.length = 0;
  });
  afterEach(async () => {
    await fw.destroy();
    for (const tool of ["iptables", "ip6tables"]) for (const c of ["KNOCK-OPEN", "KNOCK-BAN"]) await must([tool, "-F", c], { ns: net.server });
  });

  it("a grant runs the grant command once and the timer revokes it at expiry", async () => {
    expect(await net.connects(22)).toBe(false);
    expect(await net.connects(2222)).toBe(true);
    await fw.grant(net.clientIp, [SSH], 2);
    expect(await openRules()).toHaveLength(1);
    expect(await net.connects(22)).toBe(true);
    await sleep(2300);
    expect(await openRules()).toEqual([]);
    expect(await net.connects(22)).toBe(false);
    expect((await fw.inspect()).grants).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("a repeated grant runs no second command, only pushes the expiry", async () => {
    await fw.grant(net.clientIp, [SSH], 1);
    await fw.grant(net.clientIp, [SSH], 30);
    expect(await openRules()).toHaveLength(1);
    const { grants } = await fw.inspect();
    expect(grants).toHaveLength(1);
    expect(grants[0]!.expiresInMs).toBeGreaterThan(25_000);
    await sleep(1300);
    expect(await net.connects(22)).toBe(true);
  });

  it("revoke closes, an established session survives, unknown revokes are no-ops", async () => {
    await fw.grant(net.clientIp, [SSH], 30);
    const session = await openTcpSession(net.client, net.serverIp, 22);
    try {
      await fw.revoke(net.clientIp);
      expect(await openRules()).toEqual([]);
      expect(await net.connects(22)).toBe(false);
      expect(await session.exchange("still-open")).toBe(true);
    } finally {
      await session.close();
    }
    await fw.revoke(net.clientIp, [SSH]);
    await fw.revoke("192.0.2.1");
  });

  it("a ban drops even a granted address; IPv6 uses the *6 templates", async () => {
    await fw.grant(net.clientIp, [SSH], 30);
    await fw.ban(net.clientIp, 30);
    await fw.ban(net.clientIp, 30);
    expect(await net.connects(22)).toBe(false);
    await fw.unban(net.clientIp);
    expect(await net.connects(22)).toBe(true);

    expect(await net.connects(22, { v6: true })).toBe(false);
    await fw.grant(net.clientIp6, [SSH], 30);
    expect(await openRules("ip6tables")).toHaveLength(1);
    expect(await net.connects(22, { v6: true })).toBe(true);
    await fw.ban(net.clientIp6, 30);
    expect(await net.connects(22, { v6: true })).toBe(false);
  });

  it("reconcile after a crash: re-applies active grants without stacking, revokes overdue ones", async () => {
    // What a SIGKILLed worker leaves behind: two rules, one still valid, one overdue.
    const leftover = (ip: string): string[] => rule("iptables", "-I").map((a) => a.replace("%IP%", ip).replace("%PROTO%", "tcp").replace("%PORT%", "22"));
    await must(leftover(net.clientIp), { ns: net.server });
    await must(leftover(net.clientExtraIps[0]!), { ns: net.server });
    const now = Date.now();
    await fw.reconcile(
      {
        protectedPorts: [SSH],
        trusted: [],
        grants: [
          { ip: net.clientIp, ports: [SSH], expiresAt: now + 20_000 },
          { ip: net.clientExtraIps[0]!, ports: [SSH], expiresAt: now - 1000 },
        ],
        bans: [{ ip: "192.0.2.7", expiresAt: now + 20_000 }],
      },
      now,
    );
    const rules = await openRules();
    expect(rules).toHaveLength(1);
    expect(rules[0]).toContain(`${net.clientIp}/32`);
    expect(await net.connects(22)).toBe(true);
    expect(await net.connects(22, { localAddress: net.clientExtraIps[0] })).toBe(false);
    // The pre-grant cleanup of the surviving rule succeeded; the ban had nothing to clean up.
    expect(errors.map((e) => e.context)).toEqual(["cleanup"]);
    expect(errors[0]!.err.stderr).toMatch(/Bad rule|does a matching rule exist/);

    // A second reconcile without the grant revokes it (tracked, not wanted any more).
    await fw.reconcile({ protectedPorts: [SSH], trusted: [], grants: [], bans: [] }, Date.now());
    expect(await openRules()).toEqual([]);
    expect((await fw.inspect()).bans).toEqual([]);
  });

  it("detach revokes grants (fail closed) and leaves bans for the next start", async () => {
    await fw.grant(net.clientIp, [SSH], 30);
    await fw.ban("192.0.2.8", 30);
    await fw.detach();
    expect(await openRules()).toEqual([]);
    expect(await must(["iptables", "-S", "KNOCK-BAN"], { ns: net.server })).toContain("192.0.2.8/32");
    expect(await fw.inspect()).toEqual({ protectedPorts: [], trusted: [], grants: [], bans: [], forwards: [] });
  });

  it("a failing command surfaces FirewallError with stderr; an expiry failure goes to onError", async () => {
    const broken = make({ grant: [["iptables", "-w", "-I", "NO-SUCH-CHAIN", "-s", "%IP%", "-j", "ACCEPT"]], revoke: [["iptables", "-w", "-D", "KNOCK-OPEN", "-s", "%IP%", "-j", "ACCEPT"]] });
    const err = await broken.grant(net.clientIp, [SSH], 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FirewallError);
    expect((err as FirewallError).exitCode).not.toBe(0);
    expect((err as FirewallError).stderr.length).toBeGreaterThan(0);
    expect((err as FirewallError).argv).toEqual(expect.arrayContaining(["NO-SUCH-CHAIN", net.clientIp]));

    const revokeFails = make({ grant: [rule("iptables", "-I")], revoke: [["iptables", "-w", "-D", "NO-SUCH-CHAIN", "-s", "%IP%", "-j", "ACCEPT"]] });
    await revokeFails.grant(net.clientIp, [SSH], 1);
    await sleep(1300);
    expect(errors.map((e) => e.context)).toEqual(["expire"]);
    expect(errors[0]!.err).toBeInstanceOf(FirewallError);
    await must(["iptables", "-F", "KNOCK-OPEN"], { ns: net.server });

    expect(() => make({ grant: [["iptables"]], revoke: [] })).toThrow(RangeError);
    expect(() => make({ ...TEMPLATES, ban: [["iptables", "--dport", "%PORT%"]] })).toThrow(RangeError);
    await expect(fw.grant("10.0.0.1; reboot", [SSH], 5)).rejects.toThrow(RangeError);
  });
});
