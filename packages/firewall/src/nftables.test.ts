import type { FirewallState } from "@sesame/core";
import { describe, expect, it } from "vitest";
import type { ExecFn } from "./exec";
import { NftablesBackend } from "./nftables";

// reconcile's ordering and fallbacks with a fake nft that refuses any script
// containing a chosen text (the kernel's side is in test/nftables.net.test.ts).

const NOW = 1_700_000_000_000;

function fakeNft(refuse: string[]) {
  const scripts: { text: string; ok: boolean }[] = [];
  const exec: ExecFn = (_argv, input = "") => {
    const ok = !refuse.some((r) => input.includes(r));
    scripts.push({ text: input, ok });
    return Promise.resolve(ok ? { code: 0, stdout: "", stderr: "" } : { code: 1, stdout: "", stderr: "Error: value too large" });
  };
  return { scripts, backend: new NftablesBackend({ exec }) };
}

const state: FirewallState = {
  protectedPorts: [{ port: 22, protocol: "tcp" }, { port: 23, protocol: "tcp" }],
  trusted: [{ cidr: "10.1.0.0/16", expiresAt: null }],
  grants: [
    { ip: "10.0.0.2", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 5000 },
    { ip: "10.66.0.1", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 5000 },
    { ip: "999.1.1.1", ports: [{ port: 22, protocol: "tcp" }], expiresAt: NOW + 5000 },
  ],
  bans: [{ ip: "192.0.2.1", expiresAt: NOW + 60_000 }],
};

describe("NftablesBackend.reconcile", () => {
  it("structure with the protected ports first, then the elements in one batch", async () => {
    const { scripts, backend } = fakeNft([]);
    const report = await backend.reconcile(state, NOW);
    expect(scripts).toHaveLength(2);
    expect(scripts[0]!.text).toMatch(/delete table inet sesame[\s\S]*add element inet sesame protected \{ tcp \. 22, tcp \. 23 \}\n$/);
    expect(scripts[0]!.text).not.toMatch(/add element inet sesame (grants|banned|trusted)/);
    expect(scripts[1]!.text.split("\n")[0]).toBe("add element inet sesame banned4 { 192.0.2.1 timeout 60s }");
    expect(report.refused).toEqual(['grant "999.1.1.1": invalid IP address']);
  });

  it("a refused element: the batch is retried element by element and only that one is left out", async () => {
    const { scripts, backend } = fakeNft(["10.66.0.1"]);
    const report = await backend.reconcile(state, NOW);
    expect(scripts.map((s) => s.ok)).toEqual([true, false, true, true, true, false]);
    expect(scripts.slice(2).map((s) => s.text.trim())).toEqual([
      "add element inet sesame banned4 { 192.0.2.1 timeout 60s }",
      "add element inet sesame trusted4 { 10.1.0.0/16 }",
      "add element inet sesame grants4 { 10.0.0.2 . tcp . 22 timeout 5s }",
      "add element inet sesame grants4 { 10.66.0.1 . tcp . 22 timeout 5s }",
    ]);
    expect(report.refused).toHaveLength(2);
    expect(report.refused[1]).toMatch(/^grants4 \{ 10\.66\.0\.1 \. tcp \. 22 timeout 5s \}: nft failed/);
  });

  it("a refused protected port: the bare structure goes in, then each protected port on its own", async () => {
    const { scripts, backend } = fakeNft(["tcp . 23"]);
    const report = await backend.reconcile(state, NOW);
    expect(scripts.map((s) => s.ok)).toEqual([false, true, true, false, true]);
    expect(scripts[1]!.text).not.toContain("add element");
    expect(scripts[1]!.text).toContain("meta l4proto . th dport @protected jump gate");
    expect(scripts[2]!.text.trim()).toBe("add element inet sesame protected { tcp . 22 }");
    expect(report.refused.some((r) => r.startsWith("protected { tcp . 23 }"))).toBe(true);
  });

  it("fails only when even the bare structure is refused (the old table stays: nft is all or nothing)", async () => {
    const { backend } = fakeNft(["chain gate"]);
    await expect(backend.reconcile(state, NOW)).rejects.toThrow(/nft failed/);
  });
});
