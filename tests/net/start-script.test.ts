import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestNet, must, run, stopProcess, waitFor, type TestNet } from "@sesame/testkit";
import { openDb, workerStatus } from "@sesame/db";

/**
 * The README's first command, for real: `bash scripts/start.sh` starts the
 * worker and the admin UI on a fresh database. It runs inside a server
 * namespace with its own default route, so the worker's nftables table never
 * lands in the root namespace.
 */
describe("scripts/start.sh (the README's start command)", () => {
  let net: TestNet;
  let dir: string;
  let script: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    net = await createTestNet({ tag: "st" });
    await must(["ip", "route", "add", "default", "via", net.clientIp], { ns: net.server });
    dir = mkdtempSync(join(tmpdir(), "sesame-start-"));
    chmodSync(dir, 0o755); // like /var/lib: the unprivileged web user must traverse it
  });
  afterAll(async () => {
    if (script) await stopProcess(script, 8000);
    await net?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts worker + UI with safe defaults and stops both on SIGTERM", async () => {
    const db = join(dir, "state", "sesame.db");
    script = spawn("ip", ["netns", "exec", net.server, "bash", "scripts/start.sh"], {
      env: { ...process.env, SESAME_SETUP_NO_INSTALL: "1", SESAME_DB: db, SESAME_ADMIN_PASSWORD: "start-script-test-password", PORT: "3917" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    script.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    script.stderr!.on("data", (d: Buffer) => (output += d.toString()));

    // The UI answers from another host (the client namespace): the login page.
    const url = `http://${net.serverIp}:3917/login`;
    const uiUp = await waitFor(async () => {
      const r = await run(["node", "-e", `fetch(${JSON.stringify(url)}).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))`], { ns: net.client, timeoutMs: 5000 });
      return r.code === 0;
    }, 240_000, 1000);
    expect(uiUp, output).toBe(true);

    // The worker heartbeats into the same database, on the default-route interface.
    const sdb = openDb(db, { readonly: true });
    const beat = await waitFor(() => {
      const row = sdb.select().from(workerStatus).get();
      return !!row && Date.now() - row.heartbeatAt < 5000 && row.interfaces.includes(net.serverIf);
    }, 20_000, 200);
    expect(beat, output).toBe(true);
    sdb.$client.close();

    // Safe defaults: nothing is protected, and the database is shared with the web user's group, not world-readable.
    const ruleset = await must(["nft", "list", "set", "inet", "sesame", "protected"], { ns: net.server });
    expect(ruleset).not.toMatch(/elements/);
    expect(statSync(db).mode & 0o007).toBe(0);
    const secrets = statSync(join(dir, "state", "web", "secrets.json"));
    expect(secrets.mode & 0o777).toBe(0o600);

    const exited = new Promise<number | null>((r) => script!.once("exit", (code) => r(code)));
    script.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 10_000))]);
    expect(code, output).not.toBe("hung");
    script = undefined;
    // Both children are gone: nothing listens on the UI port any more.
    const down = await run(["node", "-e", `fetch(${JSON.stringify(url)}).then(() => process.exit(0), () => process.exit(1))`], { ns: net.client, timeoutMs: 5000 });
    expect(down.code).toBe(1);
  }, 300_000);
});
