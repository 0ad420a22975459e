import { describe, expect, it } from "vitest";
import { must, waitFor } from "@sesame/testkit";
import { connectMany, nftSet, useWorkerRig, type WorkerHandle } from "./worker-harness";

// Issue 11, "fail open on restart": one bad row or one absurd timeout used to
// make the whole nftables script fail at start-up, so no Sesame table existed
// and the protected port was open to everyone. Rows written straight into the
// database (what a bug, an older version or a hand edit can leave), then a
// restart: the port must stay protected, the good grants come back, and each
// bad row is named once in the log.

const DAY_MS = 86_400_000;
const PORT = 2250;

describe("worker: bad rows and absurd timeouts at restart", () => {
  const rig = useWorkerRig({
    tag: "wb",
    extraClientIps: 10,
    doors: [{ name: "ssh", sequence: "7951,7952", action: "open", openPorts: String(PORT), durationSec: 120 }],
    servicePorts: [PORT],
    start: false,
  });
  const { ip } = rig;
  const ids: Record<string, number> = {};

  function seedRows(): void {
    const now = Date.now();
    const p = JSON.stringify([{ port: PORT, protocol: "tcp" }]);
    const g = rig.db.db.$client.prepare("INSERT INTO grants (ip, family, ports, door_name, opened_at, expires_at) VALUES (?, ?, ?, 'ssh', ?, ?)");
    const add = (name: string, addr: string, ports: string, expiresAt: number | string): void => {
      ids[name] = Number(g.run(addr, addr.includes(":") ? 6 : 4, ports, now, expiresAt).lastInsertRowid);
    };
    add("good", ip(0), p, now + 120_000);
    add("year9999", ip(1), p, Date.UTC(9999, 0, 1));
    add("extended100", ip(2), p, now + 100 * 4 * 3_600_000);
    add("negative", ip(3), p, -5);
    add("nanText", ip(4), p, "NaN");
    add("badAddress", "999.1.1.1", p, now + 120_000);
    add("portRange", ip(5), JSON.stringify([{ port: 70000, protocol: "tcp" }]), now + 120_000);
    add("protocol", ip(6), JSON.stringify([{ port: PORT, protocol: "sctp" }]), now + 120_000);
    add("notJson", ip(8), "tcp/2250", now + 120_000);
    add("bannedToo", ip(7), p, now + 120_000);
    const b = rig.db.db.$client.prepare("INSERT INTO bans (ip, family, door_name, created_at, expires_at) VALUES (?, 4, 'decoy', ?, ?)");
    ids.ban9999 = Number(b.run(ip(7), now, Date.UTC(9999, 0, 1)).lastInsertRowid);
    ids.banText = Number(b.run(ip(9), now, "forever").lastInsertRowid);
  }

  /** The port from each client: granted ones pass, everyone else is dropped. */
  async function expectProtected(): Promise<void> {
    const from = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ip(i));
    const got = await connectMany(rig.net.client, [...from.map((a) => ({ host: rig.net.serverIp, port: PORT, localAddress: a })), { host: rig.net.serverIp, port: PORT }], 1000);
    expect(Object.fromEntries(got.map((ok, i) => [i < from.length ? `ip(${i})` : "client", ok]))).toEqual({
      "ip(0)": true, // good grant restored
      "ip(1)": true, // year 9999: clamped to a day, still granted
      "ip(2)": true, // extended 100 times: clamped to a day
      "ip(3)": false, // negative expiry: over
      "ip(4)": false, // "NaN": skipped
      "ip(5)": false, // port 70000: skipped
      "ip(6)": false, // sctp: skipped
      "ip(7)": false, // granted but banned (ban of year 9999 clamped to a year)
      "ip(8)": false, // ports not JSON: skipped
      "ip(9)": false, // ban "forever" skipped, but never granted either
      client: false, // never granted
    });
  }

  function expectNamedOnce(w: WorkerHandle, from: number): void {
    const lines = w.lines.slice(from);
    for (const name of ["nanText", "badAddress", "portRange", "protocol", "notJson"]) {
      expect(lines.filter((l) => l.includes(`grants row ${ids[name]}:`) && /row skipped/.test(l)), name).toHaveLength(1);
    }
    expect(lines.filter((l) => l.includes(`bans row ${ids.banText}:`) && /row skipped/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /left out/.test(l))).toEqual([]); // nothing bad reached the firewall
  }

  it("a restart over an existing table: port still protected, good grants restored, bad rows logged once", async () => {
    let w = await rig.start();
    await w.stop();
    rig.worker = undefined;
    seedRows();
    const from = 0;
    w = await rig.start();
    expect(w.grep(/firewall: nftables ready: 4 grants and 1 bans restored, protected tcp\/2250/)).toHaveLength(1);
    expectNamedOnce(w, from);
    expect(w.grep(new RegExp(`grants row ${ids.year9999} .*shortened`))).toHaveLength(1);
    expect(w.grep(new RegExp(`grants row ${ids.extended100} .*shortened`))).toHaveLength(1);
    expect(w.grep(new RegExp(`bans row ${ids.ban9999} .*shortened`))).toHaveLength(1);
    await expectProtected();
    // The kernel got clamped timeouts, and the clamped expiry is what the database now says.
    const set = await nftSet(rig.net.server, "grants4");
    const timeoutOf = (addr: string): string => /timeout (\S+)/.exec(set.split("\n").find((l) => l.includes(`${addr} . tcp`)) ?? "")?.[1] ?? "";
    expect(timeoutOf(ip(1))).toMatch(/^(1d|23h59m\S*|1d0s|86400s)$/);
    expect(/timeout (\S+)/.exec(await nftSet(rig.net.server, "banned4"))?.[1]).toMatch(/^(365d|364d23h\S*)$/);
    // Raw SQL: drizzle's JSON column would throw on the notJson row.
    const expiry = (name: string): number => (rig.db.db.$client.prepare("SELECT expires_at FROM grants WHERE id = ?").get(ids[name]) as { expires_at: number }).expires_at;
    expect(await waitFor(() => expiry("year9999") <= Date.now() + DAY_MS && expiry("extended100") <= Date.now() + DAY_MS, 2000, 50)).toBe(true);
    // Still running, still matching: a fresh knock opens for a new client.
    await rig.knock("7951,7952");
    expect((await connectMany(rig.net.client, [{ host: rig.net.serverIp, port: PORT }], 1000))[0]).toBe(true);
  });

  it("a start on a flushed kernel (a reboot) with the same rows: the same outcome", async () => {
    const w0 = rig.worker as WorkerHandle;
    await w0.stop();
    rig.worker = undefined;
    // The knock above opened for the client's own address; revoke it so "client" is a stranger again.
    rig.db.db.$client.prepare("UPDATE grants SET closed_at = ?, closed_reason = 'revoked' WHERE ip = ?").run(Date.now(), rig.net.clientIp);
    await must(["nft", "flush", "ruleset"], { ns: rig.net.server });
    const w = await rig.start();
    expect(w.grep(/firewall: nftables ready: 4 grants and 1 bans restored, protected tcp\/2250/)).toHaveLength(1);
    expectNamedOnce(w, 0);
    await expectProtected();
  });
});
