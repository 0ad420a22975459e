import { describe, expect, it } from "vitest";
import { buildChainRestore, createNames, ipsetSeconds, parseIpsetSave, parseProtectedRules, replaceSetLines } from "./ipt-script";

const names = createNames("SESAME", "sesame");

describe("buildChainRestore", () => {
  const text = buildChainRestore(names, 6, [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }]);

  it("declares (creates or flushes) both chains and never ACCEPTs", () => {
    expect(text).toMatch(/^\*filter\n:SESAME - \[0:0\]\n:SESAME-GATE - \[0:0\]\n/);
    expect(text).not.toContain("ACCEPT");
    expect(text.trimEnd().endsWith("COMMIT")).toBe(true);
  });

  it.each([
    ["established first", "-A SESAME -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n-A SESAME -p tcp"],
    ["one rule per protected port", "-A SESAME -p udp -m udp --dport 53 -j SESAME-GATE"],
    ["bans drop", "-A SESAME-GATE -m set --match-set sesame-bans6 src -j DROP\n-A SESAME-GATE -m set --match-set sesame-trusted6 src -j RETURN"],
    ["grants match source ip and destination port", "-A SESAME-GATE -m set --match-set sesame-grants6 src,dst -j RETURN\n-A SESAME-GATE -j DROP"],
  ])("%s", (_name, fragment) => {
    expect(text).toContain(fragment);
  });

  it("round-trips protected ports through iptables -S output", () => {
    const listed = "-N SESAME\n-A SESAME -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n-A SESAME -p tcp -m tcp --dport 22 -j SESAME-GATE\n-A SESAME -p udp -m udp --dport 53 -j SESAME-GATE\n";
    expect(parseProtectedRules(listed, names)).toEqual([{ protocol: "tcp", port: 22 }, { protocol: "udp", port: 53 }]);
  });
});

describe("ipset", () => {
  it.each([
    [1, 1],
    [1001, 2],
    [0, 1],
    [-5, 1],
    [3e12, 2_147_483],
  ])("ipsetSeconds(%d ms) = %d", (ms, s) => {
    expect(ipsetSeconds(ms)).toBe(s);
  });

  it("a set's content is replaced through a freshly filled scratch set", () => {
    expect(replaceSetLines(names, "grants", 6, ["fd00::2,tcp:22 timeout 3"]).join("\n")).toBe(
      "create sesame-grants6 hash:ip,port family inet6 timeout 0\ncreate sesame-grants6-new hash:ip,port family inet6 timeout 0\nflush sesame-grants6-new\nadd sesame-grants6-new fd00::2,tcp:22 timeout 3\nswap sesame-grants6-new sesame-grants6\ndestroy sesame-grants6-new",
    );
  });

  it("parses ipset save output for our sets only", () => {
    const saved = "create sesame-grants4 hash:ip,port family inet timeout 0\nadd sesame-grants4 10.0.0.2,tcp:22 timeout 49\nadd other 10.0.0.9\nadd sesame-trusted6 fd00::/64\n";
    expect(parseIpsetSave(saved, new Set(["sesame-grants4", "sesame-trusted6"]))).toEqual([
      { set: "sesame-grants4", entry: "10.0.0.2,tcp:22", timeoutSec: 49 },
      { set: "sesame-trusted6", entry: "fd00::/64", timeoutSec: null },
    ]);
  });
});
