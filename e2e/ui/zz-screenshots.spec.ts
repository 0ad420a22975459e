import { expect, test } from "@playwright/test";
import { testDb } from "../helpers/db";
import { expectConfigApplied, fillDoor } from "../helpers/editor";
import { shoot } from "../helpers/screenshot";
import { PROTECTED_PORT, startLab, type Lab } from "../helpers/net";
import { logIn } from "../helpers/session";

/**
 * Screenshots of every main page for the README (docs/screenshots), taken
 * against a running worker with real knocks so they show a live system.
 */


test.describe.serial("screenshots", () => {
  let lab: Lab;
  test.beforeAll(async () => {
    lab = await startLab();
  });
  test.afterAll(async () => {
    await lab?.stop();
  });

  test("login", async ({ browser, baseURL }) => {
    const ctx = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
    const page = await ctx.newPage();
    await page.goto("/login");
    await shoot(page, "login");
    await ctx.close();
  });

  test("main pages", async ({ page }) => {
    await logIn(page);
    const ip = lab.net.clientIp;
    // A realistic setup through the UI: a trusted office network, an SSH door, a decoy.
    await page.goto("/trusted");
    if ((await page.getByTestId("trusted-127.0.0.0/8").count()) === 0) {
      await page.getByLabel("Network (CIDR) or address").fill("127.0.0.0/8");
      await page.getByLabel("Comment").fill("this appliance's console");
      await page.getByRole("button", { name: "Add trusted network" }).click();
      await expect(page.getByTestId("trusted-127.0.0.0/8")).toBeVisible();
    }
    if ((await page.getByTestId("trusted-192.168.10.0/24").count()) === 0) {
      await page.getByLabel("Network (CIDR) or address").fill("192.168.10.0/24");
      await page.getByLabel("Comment").fill("office LAN");
      await page.getByRole("button", { name: "Add trusted network" }).click();
      await expect(page.getByTestId("trusted-192.168.10.0/24")).toBeVisible();
    }
    await page.getByLabel("Address", { exact: true }).fill("192.168.10.23");
    await page.getByRole("button", { name: "Check" }).click();
    await shoot(page, "trusted");

    const names = testDb()
      .$client.prepare("SELECT name FROM doors")
      .all()
      .map((r) => (r as { name: string }).name);
    if (!names.includes("ssh")) {
      await page.goto("/sequences/new");
      await fillDoor(page, { name: "ssh", knocks: ["7911", "8222:udp", "7533", "9104"], open: { ports: [PROTECTED_PORT], seconds: 600 } });
      await page.getByRole("button", { name: "Create" }).click();
      await expect(page).toHaveURL(/saved=/);
    }
    if (!names.includes("scanner-trap")) {
      await page.goto("/sequences/new?kind=ban");
      await fillDoor(page, { name: "scanner-trap", knocks: ["7000", "8000", "9000"], ban: { seconds: 3600 } });
      await page.getByRole("button", { name: "Create" }).click();
      await expect(page).toHaveURL(/saved=/);
    }
    await expectConfigApplied(page);

    // Real knocks: one good, one decoy from an extra address.
    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    await lab.knock(["7911", "8222:udp", "7533", "9104"]);
    await expect(page.getByTestId(`grant-${ip}`)).toBeVisible();
    await shoot(page, "dashboard");

    await page.goto("/sequences");
    await shoot(page, "sequences");
    const sshId = (testDb().$client.prepare("SELECT id FROM doors WHERE name = 'ssh'").get() as { id: number }).id;
    await page.goto(`/sequences/${sshId}`);
    await shoot(page, "sequence-editor");
    await page.goto("/decoys");
    await shoot(page, "decoys");
    await page.goto(`/history?ip=${encodeURIComponent(`${lab.net.subnet}.0.0/16`)}`);
    await shoot(page, "history");
    await page.goto("/settings");
    await page.getByLabel("…or paste it").fill("[options]\n    UseSyslog\n\n[openHTTPS]\n    sequence    = 12345,54321,24680\n    seq_timeout = 5\n    tcpflags    = syn\n    command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 443 -j ACCEPT\n");
    await page.getByRole("button", { name: "Preview changes" }).click();
    await expect(page.getByTestId("import-preview")).toBeVisible();
    await shoot(page, "settings");
    await page.goto("/audit");
    await shoot(page, "audit");
  });

  test("phone width and dark mode", async ({ browser, baseURL }) => {
    const phone = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await logIn(p);
    await p.goto("/");
    await expect(p.getByTestId("stream-status")).toContainText("live");
    await shoot(p, "dashboard-phone");
    await phone.close();
    const dark = await browser.newContext({ baseURL, colorScheme: "dark", viewport: { width: 1280, height: 860 } });
    const d = await dark.newPage();
    await logIn(d);
    await d.goto("/");
    await expect(d.getByTestId("stream-status")).toContainText("live");
    await shoot(d, "dashboard-dark");
    const id = (testDb().$client.prepare("SELECT id FROM doors WHERE name = 'ssh'").get() as { id: number } | undefined)?.id;
    if (id) {
      await d.goto(`/sequences/${id}`);
      await shoot(d, "sequence-editor-dark");
    }
    await dark.close();
  });
});
