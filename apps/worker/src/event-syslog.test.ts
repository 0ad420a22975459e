import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventSyslog, eventSyslogArgs } from "./event-syslog";
import { spawnSyslogSink } from "./log";

// The real util-linux `logger` child, writing to a unix socket this test listens on.

function listen(path: string): Promise<{ server: Server; lines: string[] }> {
  const lines: string[] = [];
  const server = createServer((c) => {
    let buf = "";
    c.on("data", (d) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, lines })));
}

async function waitFor(ok: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ok();
}

describe("EventSyslog through logger", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("sends each event as one key=value line with ident sesame[pid], only while enabled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sesame-syslog-"));
    dirs.push(dir);
    const path = join(dir, "log.sock");
    const { server, lines } = await listen(path);
    const errors: string[] = [];
    const syslog = new EventSyslog({ open: () => spawnSyslogSink((m) => errors.push(m), eventSyslogArgs(path, 4242)) });
    try {
      syslog.record({ ts: 0, kind: "open", ip: "10.0.0.1", doorName: "off" });
      syslog.setEnabled(true);
      syslog.record({ ts: 0, kind: "open", ip: "10.0.0.5", doorName: "ssh", detail: JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 }) });
      syslog.record({ ts: 0, kind: "ban", ip: "10.0.0.6", doorName: "my decoy", detail: JSON.stringify({ durationSec: 60 }) });
      syslog.record({ ts: 0, kind: "open", ip: "10.0.0.7", userName: "alice" });
      expect(await waitFor(() => lines.length >= 3, 5000)).toBe(true);
      // <86> = authpriv (10) * 8 + info (6)
      expect(lines[0]).toMatch(/^<86>.* sesame\[4242\]: event=open door=ssh ip=10\.0\.0\.5 ports=tcp\/22 duration=300$/);
      expect(lines[1]).toMatch(/sesame\[4242\]: event=ban door="my decoy" ip=10\.0\.0\.6 duration=60$/);
      expect(lines[2]).toMatch(/sesame\[4242\]: event=open user=alice ip=10\.0\.0\.7$/);
      await syslog.close();
      syslog.record({ ts: 0, kind: "open", ip: "10.0.0.9", doorName: "after" });
      await new Promise((r) => setTimeout(r, 200));
      expect(lines.join("\n")).not.toMatch(/10\.0\.0\.(1|9)/);
      expect(syslog.dropped()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await syslog.close();
      server.close();
    }
  });
});
