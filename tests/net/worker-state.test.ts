import { describe, expect, it } from "vitest";
import { bans, doors, eq, grants, trustedNetworks, workerStatus } from "@sesame/db";
import { must, waitFor } from "@sesame/testkit";
import { addDoor, escapeIp, nftSet, setSetting, useWorkerRig, type WorkerHandle } from "./worker-harness";

// What survives the worker (SIGKILL, restart, flushed kernel state) and how
// fast it follows what the UI writes into the database.

describe("worker: state across restarts and UI edits", () => {
  const rig = useWorkerRig({
    tag: "ws",
    extraClientIps: 10,
    doors: [
      { name: "short", sequence: "7501,7502", action: "open", openPorts: "2232", durationSec: 3 },
      { name: "long", sequence: "7601,7602:udp", action: "open", openPorts: "2233", durationSec: 120 },
      { name: "decoy", sequence: "7701,7702", action: "ban", durationSec: 120 },
    ],
    servicePorts: [2232, 2233, 2234],
    start: false,
  });
  const { ip, connects } = rig;
  // The worker records a grant on its next database flush (every 100 ms), after the kernel already opened.
  const hasGrantRow = (addr: string): Promise<boolean> => waitFor(() => rig.db.db.select().from(grants).where(eq(grants.ip, addr)).get() !== undefined, 2000, 50);

  it("SIGKILL with a grant open: the kernel still closes it at expiry", async () => {
    const worker = await rig.start();
    await rig.knock("7501,7502", ip(0));
    await worker.waitForLine(new RegExp(`${escapeIp(ip(0))}: short: open applied`), 3000);
    const openedAt = Date.now();
    await worker.kill();
    rig.worker = undefined;
    expect(await connects(2232, ip(0))).toBe(true);
    await new Promise((r) => setTimeout(r, Math.max(0, openedAt + 3300 - Date.now())));
    expect(await waitFor(async () => !(await connects(2232, ip(0))), 3000, 200)).toBe(true);
  });

  it("SIGKILL with an expiring trusted network: the kernel stops trusting it at expiry (fail closed)", async () => {
    const worker = await rig.start();
    const expiresAt = Date.now() + 4000;
    rig.db.db.insert(trustedNetworks).values({ cidr: `${ip(5)}/32`, comment: "expiring", expiresAt }).run();
    expect(await waitFor(async () => (await nftSet(rig.net.server, "trusted4")).includes(ip(5)), 2000, 50)).toBe(true);
    expect(await nftSet(rig.net.server, "trusted4")).toMatch(/timeout [34]s/);
    await worker.kill();
    rig.worker = undefined;
    // No knock: trusted until the expiry, with nobody left to take it out.
    expect(await connects(2232, ip(5))).toBe(true);
    expect(await connects(2232, ip(6))).toBe(false);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt + 300 - Date.now())));
    expect(await connects(2232, ip(5))).toBe(false);
  });

  it("a restart restores grants and bans from the database into a flushed kernel", async () => {
    let worker = await rig.start();
    await rig.knock("7601,7602:udp", ip(1));
    await rig.knock("7701,7702", ip(2));
    await worker.waitForLine(new RegExp(`${escapeIp(ip(1))}: long: open applied`), 3000);
    await worker.waitForLine(new RegExp(`${escapeIp(ip(2))}: decoy: banned`), 3000);
    await worker.stop();
    rig.worker = undefined;
    // Stopping leaves the kernel state; wipe it to prove the restart rebuilds it from the database.
    await must(["nft", "flush", "ruleset"], { ns: rig.net.server });
    expect(await connects(2233, ip(2))).toBe(true); // nothing is enforced now
    worker = await rig.start();
    expect(worker.grep(/firewall: nftables ready: 1 grants and 1 bans restored/)).toHaveLength(1);
    expect(await connects(2233, ip(1))).toBe(true);
    expect(await connects(2233, ip(2))).toBe(false);
    expect(await connects(2233, ip(3))).toBe(false);
  });

  it("applies UI edits within a second: new door, revoked grant, unban, config version", async () => {
    const w = rig.worker as WorkerHandle;
    // A new door: its port becomes protected, its sequence opens it.
    let t0 = Date.now();
    addDoor(rig.db.db, { name: "web", sequence: "7801,7802", action: "open", openPorts: "2234", durationSec: 60 });
    expect(await waitFor(async () => (await nftSet(rig.net.server, "protected")).includes("tcp . 2234"), 1000, 50)).toBe(true);
    console.log(`new door protected after ${Date.now() - t0} ms`);
    expect(await connects(2234, ip(4))).toBe(false);
    await rig.knock("7801,7802", ip(4));
    expect(await waitFor(() => connects(2234, ip(4)), 2000, 100)).toBe(true);

    // Revoke from the UI: closedAt + reason on the grant row.
    expect(await hasGrantRow(ip(4))).toBe(true);
    const row = rig.db.db.select().from(grants).where(eq(grants.ip, ip(4))).get();
    expect(row?.closedAt).toBeNull();
    t0 = Date.now();
    rig.db.db.update(grants).set({ closedAt: Date.now(), closedReason: "revoked" }).where(eq(grants.id, row!.id)).run();
    expect(await waitFor(async () => !(await nftSet(rig.net.server, "grants4")).includes(`${ip(4)} . tcp . 2234`), 1000, 50)).toBe(true);
    console.log(`UI revoke applied after ${Date.now() - t0} ms`);
    expect(await connects(2234, ip(4))).toBe(false);
    expect(await waitFor(() => rig.db.db.select().from(grants).where(eq(grants.id, row!.id)).get()?.appliedClosedAt != null, 2000, 50)).toBe(true);

    // Unban from the UI: the banned address can knock again.
    const ban = rig.db.db.select().from(bans).where(eq(bans.ip, ip(2))).get();
    expect(ban?.liftedAt).toBeNull();
    t0 = Date.now();
    rig.db.db.update(bans).set({ liftedAt: Date.now(), liftedReason: "unbanned" }).where(eq(bans.id, ban!.id)).run();
    expect(await waitFor(async () => !(await nftSet(rig.net.server, "banned4")).includes(ip(2)), 1000, 50)).toBe(true);
    console.log(`UI unban applied after ${Date.now() - t0} ms`);
    await rig.knock("7801,7802", ip(2));
    expect(await waitFor(() => connects(2234, ip(2)), 2000, 100)).toBe(true);

    // Extend from the UI: a later expiresAt reaches the kernel's timeout.
    expect(await hasGrantRow(ip(2))).toBe(true);
    const g2 = rig.db.db.select().from(grants).where(eq(grants.ip, ip(2))).get()!;
    rig.db.db.update(grants).set({ expiresAt: Date.now() + 3_600_000 }).where(eq(grants.id, g2.id)).run();
    expect(await waitFor(async () => /timeout 1h|timeout 59m|timeout 3600s/.test((await nftSet(rig.net.server, "grants4")).split("\n").find((l) => l.includes(ip(2))) ?? ""), 1000, 50)).toBe(true);

    // Disabling a door withdraws its port from the protected set.
    rig.db.db.update(doors).set({ enabled: false }).where(eq(doors.name, "web")).run();
    expect(await waitFor(async () => !(await nftSet(rig.net.server, "protected")).includes("tcp . 2234"), 1000, 50)).toBe(true);

    // The UI bumps configVersion with every change; the worker reports what it applied.
    setSetting(rig.db.db, "configVersion", 42);
    expect(await waitFor(() => rig.db.db.select().from(workerStatus).get()?.appliedConfigVersion === 42, 1500, 50)).toBe(true);
    expect(w.grep(/error/i)).toEqual([]);
  });
});
