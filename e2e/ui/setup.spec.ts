import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "@sesame/db";
import { stopProcess } from "@sesame/testkit";
import { E2E_DIR, E2E_PORT, REPO_ROOT, TLS_ENV } from "../helpers/env";

/**
 * First start without SESAME_ADMIN_PASSWORD: no default password, a one-time
 * setup link in the server log, secrets in a 0600 file outside the repo.
 * Runs a second instance of the built app on its own database and secrets.
 */
test.describe.serial("first start without a password", () => {
  const dir = join(E2E_DIR, "setup-instance");
  const secretsDir = join(dir, "secrets");
  const port = E2E_PORT + 1;
  const base = `https://127.0.0.1:${port}`;
  let server: ChildProcess;
  let log = "";
  let link = "";

  test.beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    openDb(join(dir, "sesame.db"), { migrate: true }).$client.close();
    server = spawn(process.execPath, [join(REPO_ROOT, "apps/web/server.mjs")], {
      cwd: join(REPO_ROOT, "apps/web"),
      env: { ...process.env, NODE_ENV: "production", SESAME_DB: join(dir, "sesame.db"), SESAME_SECRETS_DIR: secretsDir, SESAME_ADMIN_PASSWORD: "", ...TLS_ENV, PORT: String(port), HOSTNAME: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(/\/setup\?token=\S+/.test(log) && log.includes("listening"))) await new Promise((r) => setTimeout(r, 100));
    link = /(https:\/\/\S+\/setup\?token=\S+)/.exec(log)?.[1] ?? "";
    expect(link, log).not.toBe("");
  });
  test.afterAll(async () => {
    if (server) await stopProcess(server);
  });

  test("secrets file is private and holds no plain token or password", () => {
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    const file = join(secretsDir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(file, "utf8"));
    expect(secrets.sessionKey).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.admin).toBeNull();
    const token = new URL(link).searchParams.get("token")!;
    expect(JSON.stringify(secrets)).not.toContain(token);
  });

  test("login is impossible until the link is used; a wrong token is refused", async ({ page }) => {
    await page.goto(`${base}/login`);
    await expect(page.getByText("No admin password is set yet")).toBeVisible();
    const api = await page.request.post(`${base}/api/auth/login`, { data: { password: "anything-at-all" } });
    expect(api.status()).toBe(409);
    await page.goto(`${base}/setup?token=not-the-token`);
    await expect(page.getByText("This setup link is invalid or was already used")).toBeVisible();
  });

  test("the link sets the password (with field errors first) and logs in; it works only once", async ({ page, browser }) => {
    await page.goto(link.replace(/^http:\/\/[^/]+/, base));
    await page.getByLabel("New password").fill("short");
    await page.getByLabel("Repeat it").fill("other");
    await page.getByRole("button", { name: "Set password and log in" }).click();
    await expect(page.locator("#f-next-err")).toContainText("at least 12 characters");
    await expect(page.locator("#f-confirm-err")).toContainText("does not match");
    await page.getByLabel("New password").fill("a-fresh-admin-password");
    await page.getByLabel("Repeat it").fill("a-fresh-admin-password");
    await page.getByRole("button", { name: "Set password and log in" }).click();
    await expect(page).toHaveURL(`${base}/`);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

    const secrets = JSON.parse(readFileSync(join(secretsDir, "secrets.json"), "utf8"));
    expect(secrets.admin.hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(secrets.setup).toBeNull();

    // Used up: a fresh browser following the link lands on the login page.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(link.replace(/^http:\/\/[^/]+/, base));
    await expect(p2).toHaveURL(/\/login/);
    await other.close();
    const ok = await page.request.post(`${base}/api/auth/login`, { data: { password: "a-fresh-admin-password" } });
    expect(ok.status()).toBe(204);
  });

  test("a password change revokes every other session on the server; this browser stays in", async ({ page, playwright }) => {
    const elsewhere = await playwright.request.newContext({ baseURL: base });
    expect((await elsewhere.post("/api/auth/login", { data: { password: "a-fresh-admin-password" } })).status()).toBe(204);
    expect((await elsewhere.get("/api/status")).status()).toBe(200);
    expect((await page.request.post(`${base}/api/auth/login`, { data: { password: "a-fresh-admin-password" } })).status()).toBe(204);
    await page.goto(`${base}/account`);
    await page.getByLabel("Current password").fill("a-fresh-admin-password");
    await page.getByLabel("New password", { exact: true }).fill("a-second-admin-password");
    await page.getByLabel("Repeat the new password").fill("a-second-admin-password");
    await page.getByRole("button", { name: /change password/i }).click();
    await expect(page.getByText("Password changed. Other sessions were signed out.")).toBeVisible();
    // The live stream's per-second session check sees the old session revoked; with this tab's fresh
    // cookie it reconnects instead of sending the admin to /login (and on to the dashboard).
    await page.waitForTimeout(1500);
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByText("Password changed. Other sessions were signed out.")).toBeVisible();
    expect((await elsewhere.get("/api/status")).status()).toBe(401);
    expect((await page.request.get(`${base}/api/status`)).status()).toBe(200);
    const db = openDb(join(dir, "sesame.db"));
    const reasons = db.$client.prepare("SELECT count(*) AS n FROM web_sessions WHERE revoked_reason = 'password-change'").get() as { n: number };
    db.$client.close();
    expect(reasons.n).toBeGreaterThanOrEqual(2);
    await elsewhere.dispose();
  });
});
