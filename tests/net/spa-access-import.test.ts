import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { desc, eq, events } from "@sesame/db";
import { ACCESS_CONF_KEYS } from "@sesame/testkit/fixtures";
import { must, waitFor } from "@sesame/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAccessImport, planAccessImport } from "../../apps/web/src/server/access-import";
import { applyChange } from "../../apps/web/src/server/config-write";
import { escapeIp, useWorkerRig } from "./worker-harness";

// An access.conf stanza imported as the Users → Import page does it (the web
// app's own plan and apply, on the worker's database), then Debian's real
// fwknop 2.6.10 client with that stanza's keys: the real worker opens the
// port for the address the packet names, and refuses `-s` because the
// stanza says REQUIRE_SOURCE_ADDRESS.

const keys = ACCESS_CONF_KEYS.office;
const ACCESS_CONF = `SOURCE                  ANY
OPEN_PORTS              tcp/2222
KEY_BASE64              ${keys.keyBase64}
HMAC_KEY_BASE64         ${keys.hmacKeyBase64}
HMAC_DIGEST_TYPE        sha512
FW_ACCESS_TIMEOUT       40
REQUIRE_SOURCE_ADDRESS  Y
`;
let dir: string;

describe("worker: a user imported from access.conf, Debian's fwknop client", () => {
  const rig = useWorkerRig({ tag: "usersimp", extraClientIps: 1, servicePorts: [2222], start: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sesame-usersimp-"));
    const plan = planAccessImport(ACCESS_CONF, { prefix: "office", existingNames: [], now: Date.now() });
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    applyChange(rig.db.db, "test", { bumpConfig: true }, (ctx) => applyAccessImport(ctx, plan.users, Date.now(), ACCESS_CONF.length));
    await rig.start();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** fwknop with the stanza's keys in a ~/.fwknoprc stanza (no key on its command line). */
  async function fwknop(args: string[]): Promise<void> {
    const rc = join(dir, `rc-${Math.random().toString(36).slice(2)}`);
    writeFileSync(rc, `[office]\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nHMAC_DIGEST_TYPE sha512\nUSE_HMAC Y\n`, { mode: 0o600 });
    await must(["fwknop", "--rc-file", rc, "-n", "office", "--no-save-args", "-D", rig.net.serverIp, ...args], { ns: rig.net.client, timeoutMs: 20_000 });
  }

  async function outcome(since: number, want: string): Promise<{ userName: string | null; reason: string }> {
    let found: { userName: string | null; reason: string } | undefined;
    await waitFor(() => {
      for (const r of rig.db.db.select().from(events).where(eq(events.doorName, "SPA")).orderBy(desc(events.id)).all().filter((e) => e.ts >= since)) {
        const d = JSON.parse(r.detail ?? "{}") as { outcome?: string; reason?: string };
        if ((r.kind === "open" ? "opened" : d.outcome) === want) found = { userName: r.userName, reason: d.reason ?? "" };
      }
      return found !== undefined;
    }, 5000, 100);
    if (!found) throw new Error(`no ${want} event; worker said:\n${rig.worker!.lines.slice(-10).join("\n")}`);
    return found;
  }

  it("the stanza's port is protected before any packet", async () => {
    expect(await rig.connects(2222, rig.net.clientIp)).toBe(false);
  });

  it("fwknop -s (allow 0.0.0.0) is refused: the stanza requires the source address", async () => {
    const t = Date.now();
    await fwknop(["-A", "tcp/2222", "-s"]);
    expect(await outcome(t, "source-not-allowed")).toMatchObject({ userName: "office-1" });
    expect(await rig.connects(2222, rig.net.clientIp)).toBe(false);
  });

  it("fwknop -a (its own address) opens tcp/2222 for the stanza's FW_ACCESS_TIMEOUT, for that address only", async () => {
    await fwknop(["-A", "tcp/2222", "-a", rig.net.clientIp]);
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(rig.net.clientIp)}: SPA office-1: access granted: tcp/2222 for 40 s`), 5000);
    expect(await waitFor(() => rig.connects(2222, rig.net.clientIp), 3000, 100)).toBe(true);
    expect(await rig.connects(2222, rig.ip(0))).toBe(false);
  });
});
