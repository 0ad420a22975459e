import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eq, settings, workerStatus } from "@sesame/db";
import { must, openTcpSession, waitFor } from "@sesame/testkit";
import { escapeIp, nftSet, setSetting, useWorkerRig } from "./worker-harness";

// Settings the UI changes while the worker runs take effect without a restart.

describe("worker: live settings", () => {
  const rig = useWorkerRig({
    tag: "wset",
    extraClientIps: 8,
    doors: [{ name: "cap", sequence: "7911,7912,7913", action: "open", openPorts: "2241", durationSec: 60 }],
    servicePorts: [2241],
    start: false,
  });
  const { ip } = rig;
  const setCap = (value: number): void => {
    setSetting(rig.db.db, "maxAttempts", value);
  };
  const stats = (): Record<string, number> => (rig.db.db.select().from(workerStatus).get()?.stats ?? {}) as Record<string, number>;

  it("maxAttempts: lowering it evicts at once (stage-1 first), an advanced knock still opens, removing it restores the default", async () => {
    setCap(6);
    const worker = await rig.start();
    expect(await waitFor(() => stats().maxAttempts === 6, 3000, 50)).toBe(true);
    for (let i = 0; i < 8; i++) await rig.knock("7911", ip(i));
    await worker.waitForLine(new RegExp(`${escapeIp(ip(7))}: cap: Stage 1`), 3000);
    expect(await waitFor(() => stats().pending === 6 && stats().evicted === 2, 3000, 50)).toBe(true);
    // The newest knocker goes on to stage 2: the oldest stage-1 attempts are the ones to go below.
    await rig.knock("7912", ip(7));
    await worker.waitForLine(new RegExp(`${escapeIp(ip(7))}: cap: Stage 2`), 3000);

    setCap(2);
    const line = await worker.waitForLine(/max pending attempts: 6 -> 2; 4 evicted/, 3000);
    expect(line).toBeTruthy();
    expect(await waitFor(() => stats().maxAttempts === 2 && stats().pending === 2 && stats().evicted === 6, 3000, 50)).toBe(true);
    await rig.knock("7913", ip(7));
    expect(await waitFor(() => rig.connects(2241, ip(7)), 3000, 100)).toBe(true);

    rig.db.db.delete(settings).where(eq(settings.key, "maxAttempts")).run();
    await worker.waitForLine(/max pending attempts: 2 -> 250000/, 3000);
    expect(await waitFor(() => stats().maxAttempts === 250_000, 3000, 50)).toBe(true);
    expect(worker.grep(/error|restart/i)).toEqual([]);
  });
});

describe("worker: backend switch from the UI, while running", () => {
  const rig = useWorkerRig({
    tag: "wbk",
    extraClientIps: 4,
    doors: [
      { name: "sw", sequence: "7921,7922", action: "open", openPorts: "2251", durationSec: 120 },
      { name: "trap", sequence: "7931,7932", action: "ban", durationSec: 120 },
    ],
    servicePorts: [2251],
  });
  const { ip, connects } = rig;
  const setBackend = (value: string): void => {
    setSetting(rig.db.db, "backend", value);
  };
  const server = (argv: string[]): Promise<string> => must(argv, { ns: rig.net.server });

  it("nftables -> iptables -> nftables: grants, bans and protection carry over, the old rules go, an established session keeps working", async () => {
    const worker = rig.worker!;
    await rig.knock("7921,7922", ip(0));
    expect(await waitFor(() => connects(2251, ip(0)), 3000, 100)).toBe(true);
    const session = await openTcpSession(rig.net.client, rig.net.serverIp, 2251, { localAddress: ip(0) });
    try {
      await rig.knock("7931,7932", ip(1));
      await worker.waitForLine(new RegExp(`${escapeIp(ip(1))}: trap: banned for 120 s`), 3000);
      // The banned address knocks the open sequence: refused ("address is banned; not opened").
      await rig.knock("7921,7922", ip(1));
      await worker.waitForLine(new RegExp(`${escapeIp(ip(1))}: sw: address is banned`), 3000);

      setBackend("iptables");
      await worker.waitForLine(/firewall: switched from nftables to iptables: 1 grants, 1 bans, protected tcp\/2251/, 5000);
      // the old rules go once the new backend holds everything
      expect(await waitFor(async () => !(await server(["nft", "list", "tables"])).includes("sesame"), 3000, 50)).toBe(true);
      expect(await server(["iptables", "-S", "INPUT"])).toContain("-j SESAME");
      expect(await server(["ipset", "list", "sesame-grants4"])).toContain(ip(0));
      expect(await server(["ipset", "list", "sesame-bans4"])).toContain(ip(1));
      expect(await session.exchange("across the switch to iptables")).toBe(true);
      expect(await connects(2251, ip(0))).toBe(true);
      expect(await connects(2251, ip(1))).toBe(false);
      expect(await connects(2251, ip(2))).toBe(false);
      // The new backend takes new grants.
      await rig.knock("7921,7922", ip(3));
      expect(await waitFor(() => connects(2251, ip(3)), 3000, 100)).toBe(true);
      expect(await waitFor(() => rig.db.db.select().from(workerStatus).get()?.backend === "iptables", 3000, 50)).toBe(true);

      setBackend("nftables");
      await worker.waitForLine(/firewall: switched from iptables to nftables: 2 grants, 1 bans/, 5000);
      expect(await waitFor(async () => !(await server(["iptables", "-S"])).includes("SESAME"), 3000, 50)).toBe(true);
      expect(await waitFor(async () => (await server(["ipset", "list", "-n"])).trim() === "", 3000, 50)).toBe(true);
      expect(await nftSet(rig.net.server, "grants4")).toContain(ip(3));
      expect(await nftSet(rig.net.server, "banned4")).toContain(ip(1));
      expect(await session.exchange("and back to nftables")).toBe(true);
      expect(await connects(2251, ip(3))).toBe(true);
      expect(await connects(2251, ip(2))).toBe(false);
      expect(worker.grep(/error|failed/i)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("a worker killed on iptables and restarted on nftables removes the iptables rules it left (they would drop what nftables grants)", async () => {
    setBackend("iptables");
    const from = rig.worker!.lines.length;
    await rig.worker!.waitForLine(/firewall: switched from nftables to iptables/, 5000, from);
    expect(await waitFor(async () => !(await server(["nft", "list", "tables"])).includes("sesame"), 3000, 50)).toBe(true);
    await rig.worker!.kill();
    rig.worker = undefined;
    expect(await server(["iptables", "-S", "INPUT"])).toContain("-j SESAME");
    setBackend("nftables");
    const worker = await rig.start();
    expect(await waitFor(async () => !(await server(["iptables", "-S"])).includes("SESAME"), 5000, 100)).toBe(true);
    expect(await waitFor(async () => (await server(["ipset", "list", "-n"])).trim() === "", 3000, 50)).toBe(true);
    // ip(0)'s grant (120 s) came back from the database on nftables, and nothing else drops it.
    expect(await nftSet(rig.net.server, "grants4")).toContain(ip(0));
    expect(await connects(2251, ip(0))).toBe(true);
    expect(await connects(2251, ip(2))).toBe(false);
    expect(worker.grep(/error|failed/i)).toEqual([]);
  });
});

describe("worker: a backend switch that fails", () => {
  const rig = useWorkerRig({
    tag: "wbf",
    extraClientIps: 2,
    doors: [{ name: "fb", sequence: "7941,7942", action: "open", openPorts: "2261", durationSec: 120 }],
    servicePorts: [2261],
    start: false,
  });
  const { ip, connects } = rig;
  // An `ipset` first in the worker's PATH that fails while `fail` exists, then runs the real one.
  const dir = mkdtempSync(join(tmpdir(), "sesame-stub-"));
  const fail = join(dir, "fail");
  writeFileSync(join(dir, "ipset"), `#!/bin/sh\nif [ -e "${fail}" ]; then echo "ipset: failing on purpose (test)" >&2; exit 1; fi\nexec /usr/sbin/ipset "$@"\n`);
  chmodSync(join(dir, "ipset"), 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps nftables working, says so, backs off, and switches once the new backend can be set up", async () => {
    writeFileSync(fail, "");
    const worker = await rig.start(undefined, undefined, { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` });
    await rig.knock("7941,7942", ip(0));
    expect(await waitFor(() => connects(2261, ip(0)), 3000, 100)).toBe(true);

    setSetting(rig.db.db, "backend", "iptables");
    await worker.waitForLine(/switch backend nftables -> iptables failed again \(giving up\)/, 5000);
    const status = (): { backend?: string; lastError?: string | null } => rig.db.db.select().from(workerStatus).get() ?? {};
    const shown = await waitFor(() => /failed; retrying in 10 s/.test(status().lastError ?? ""), 3000, 50);
    expect(shown, String(status().lastError)).toBe(true);
    // Still nftables, still enforcing: the grant works, others are dropped, nothing half-built is left.
    expect(status().backend).toBe("nftables");
    expect(await connects(2261, ip(0))).toBe(true);
    expect(await connects(2261, ip(1))).toBe(false);
    expect(await must(["iptables", "-S"], { ns: rig.net.server })).not.toContain("SESAME");
    // No retry storm: nothing more within the first back-off (10 s)...
    const failures = worker.grep(/switch backend nftables -> iptables failed/).length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(worker.grep(/switch backend nftables -> iptables failed/).length).toBe(failures);
    // ...and once ipset works again, the next try switches.
    rmSync(fail);
    await worker.waitForLine(/firewall: switched from nftables to iptables: 1 grants/, 15_000);
    expect(await waitFor(() => status().backend === "iptables", 3000, 50)).toBe(true);
    expect(await connects(2261, ip(0))).toBe(true);
    expect(await connects(2261, ip(1))).toBe(false);
  }, 40_000);
});
