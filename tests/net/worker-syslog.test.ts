import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeIp, setSetting, useWorkerRig, waitFor } from "./worker-harness";

// knockd's UseSyslog, the Sesame way: with "send events to syslog" on, the
// worker's events also reach syslog as key=value lines, through one
// long-lived logger child, here pointed at a unix socket this test listens on.

describe("worker: events to syslog", () => {
  const dir = mkdtempSync(join(tmpdir(), "sesame-syslog-net-"));
  const socket = join(dir, "log.sock");
  const lines: string[] = [];
  let server: Server;
  const rig = useWorkerRig({
    tag: "wy",
    extraClientIps: 3,
    doors: [
      { name: "ssh", sequence: "7301,7302:udp", action: "open", openPorts: "2240", durationSec: 45 },
      { name: "decoy", sequence: "7401,7402", action: "ban", durationSec: 90 },
    ],
    start: false,
  });

  beforeAll(async () => {
    server = createServer((c) => {
      let buf = "";
      c.on("data", (d) => {
        buf += d.toString();
        const parts = buf.split("\n");
        buf = parts.pop()!;
        lines.push(...parts);
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("off by default; once the setting is on, an open and a ban arrive with door, ip, ports and duration", async () => {
    const worker = await rig.start(["-i", "veth-s", "--syslog-socket", socket]);
    await rig.knock("7301,7302:udp", rig.ip(0));
    await worker.waitForLine(new RegExp(`${escapeIp(rig.ip(0))}: ssh: open applied`), 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);

    setSetting(rig.db.db, "syslog", true);
    // The reload is noticed within 250 ms; knock again until the line arrives (bounded).
    expect(await waitFor(async () => {
      await rig.knock("7301,7302:udp", rig.ip(1));
      return waitFor(() => lines.some((l) => l.includes(`ip=${rig.ip(1)}`) && l.includes("event=open")), 600, 50);
    }, 5000, 0)).toBe(true);
    await rig.knock("7401,7402", rig.ip(2));
    expect(await waitFor(() => lines.some((l) => l.includes("event=ban")), 3000, 50)).toBe(true);

    const open = lines.find((l) => l.includes("event=open") && l.includes(`ip=${rig.ip(1)}`))!;
    expect(open).toMatch(new RegExp(`sesame\\[\\d+\\]: event=open door=ssh ip=${escapeIp(rig.ip(1))} ports=tcp/2240 duration=45$`));
    expect(lines.some((l) => new RegExp(`event=stage door=ssh ip=${escapeIp(rig.ip(1))} stage=1 detail=1/2$`).test(l))).toBe(true);
    expect(lines.find((l) => l.includes("event=ban"))).toMatch(new RegExp(`event=ban door=decoy ip=${escapeIp(rig.ip(2))} duration=90$`));
    expect(lines.some((l) => l.includes(rig.ip(0)))).toBe(false);
  });
});
