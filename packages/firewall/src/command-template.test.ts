import { describe, expect, it } from "vitest";
import { expandTemplate, selectTemplate, validateTemplates, type CommandTemplates } from "./command-template";

const T: CommandTemplates = {
  grant: [["/usr/sbin/iptables", "-I", "INPUT", "-s", "%IP%", "-p", "%PROTO%", "--dport", "%PORT%", "-j", "ACCEPT"]],
  revoke: [["/usr/sbin/iptables", "-D", "INPUT", "-s", "%IP%", "-p", "%PROTO%", "--dport", "%PORT%", "-j", "ACCEPT"]],
  grant6: [["/usr/sbin/ip6tables", "-I", "INPUT", "-s", "%IP%/128"]],
};

describe("command templates", () => {
  it("substitutes every placeholder inside arguments, no shell involved", () => {
    expect(expandTemplate([["x", "%IP%/32", "%PROTO%:%PORT%", "t=%TIMEOUT%", "%IP%"]], { ip: "10.0.0.2", step: { port: 22, protocol: "tcp" }, timeoutSec: 30 })).toEqual([
      ["x", "10.0.0.2/32", "tcp:22", "t=30", "10.0.0.2"],
    ]);
  });

  it.each([
    ["grant", 4, "/usr/sbin/iptables"],
    ["grant", 6, "/usr/sbin/ip6tables"],
    ["revoke", 6, "/usr/sbin/iptables"],
  ] as const)("selects %s for IPv%d (IPv6 falls back to the IPv4 list)", (kind, family, program) => {
    expect(selectTemplate(T, kind, family)[0]![0]).toBe(program);
  });

  it.each([
    ["no revoke", { grant: T.grant, revoke: [] }],
    ["empty argv", { grant: [[]], revoke: T.revoke }],
    ["shell string instead of argv", { grant: ["iptables -I INPUT"] as unknown as string[][], revoke: T.revoke }],
    ["ban without unban", { ...T, ban: [["iptables", "-I", "BAN", "-s", "%IP%", "-j", "DROP"]] }],
    ["per-port placeholder in a ban", { ...T, ban: [["x", "%PORT%"]], unban: [["y"]] }],
  ])("rejects %s", (_name, templates) => {
    expect(() => validateTemplates(templates as CommandTemplates)).toThrow(RangeError);
  });

  it("accepts a knockd-like set", () => {
    expect(() => validateTemplates({ ...T, ban: [["iptables", "-I", "BAN", "-s", "%IP%", "-j", "DROP"]], unban: [["iptables", "-D", "BAN", "-s", "%IP%", "-j", "DROP"]] })).not.toThrow();
  });
});
