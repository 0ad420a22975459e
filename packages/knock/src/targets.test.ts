import { describe, expect, it } from "vitest";
import { formatHit, parseTarget } from "./targets";

describe("parseTarget", () => {
  const ok: Array<[string, "tcp" | "udp", number, "tcp" | "udp"]> = [
    ["7000", "tcp", 7000, "tcp"],
    ["7000", "udp", 7000, "udp"],
    ["8000:udp", "tcp", 8000, "udp"],
    ["8000:tcp", "udp", 8000, "tcp"],
    ["8000:UDP", "tcp", 8000, "udp"],
    ["8000:Tcp", "udp", 8000, "tcp"],
    ["1", "tcp", 1, "tcp"],
    ["65535:udp", "tcp", 65535, "udp"],
    ["07002", "tcp", 7002, "tcp"],
  ];
  it.each(ok)("%s (default %s) -> %i/%s", (text, def, port, protocol) => {
    expect(parseTarget(text, def)).toEqual({ ok: true, step: { port, protocol } });
  });

  it("defaults to tcp", () => {
    expect(parseTarget("22")).toEqual({ ok: true, step: { port: 22, protocol: "tcp" } });
  });

  const bad: Array<[string, RegExp]> = [
    ["0", /out of range/],
    ["65536", /out of range/],
    ["70000:udp", /out of range/],
    ["abc", /invalid port 'abc'/],
    ["ssh", /invalid port 'ssh'/],
    ["", /invalid port ''/],
    [":udp", /invalid port ''/],
    ["-1", /invalid port '-1'/],
    ["7000.5", /invalid port/],
    [" 7000", /invalid port/],
    ["7000:icmp", /unknown protocol 'icmp'/],
    ["7000:", /unknown protocol ''/],
    ["7000:udp:tcp", /unknown protocol 'udp:tcp'/],
  ];
  it.each(bad)("rejects %j", (text, message) => {
    const r = parseTarget(text, "tcp");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe("formatHit", () => {
  it.each([
    [{ port: 7000, protocol: "tcp" as const }, "10.0.0.1", "hitting tcp 10.0.0.1:7000"],
    [{ port: 8000, protocol: "udp" as const }, "10.0.0.1", "hitting udp 10.0.0.1:8000"],
    // knock 0.8 prints getnameinfo's numeric form: no brackets around IPv6.
    [{ port: 9000, protocol: "tcp" as const }, "fd00:1::1", "hitting tcp fd00:1::1:9000"],
  ])("%j to %s", (step, address, line) => {
    expect(formatHit(step, address)).toBe(line);
  });
});
