import { describe, expect, it } from "vitest";
import { eq, settings, workerStatus } from "@sesame/db";
import { waitFor } from "@sesame/testkit";
import { escapeIp, useWorkerRig } from "./worker-harness";

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
    rig.db.db.insert(settings).values({ key: "maxAttempts", value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
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
