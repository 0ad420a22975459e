import { expect, test } from "@playwright/test";
import { count, testDb } from "../helpers/db";
import { expectConfigApplied, fillDoor } from "../helpers/editor";
import { expectConnect, PROTECTED_PORT, startLab, type Lab } from "../helpers/net";
import { pageNow, readLag, readTexts, recordTexts, watchLag } from "../helpers/page-timing";
import { logIn } from "../helpers/session";

/**
 * The whole appliance, for real: the worker captures in a server namespace
 * and drives nftables there; the knock client runs in a client namespace;
 * the browser watches it all through the admin UI.
 */
test.describe.serial("knocking, live", () => {
  let lab: Lab;
  const door = "e2e-ssh";
  const decoy = "e2e-decoy";
  const knocks = ["7101", "7202:udp", "7303"];
  const decoyKnocks = ["7404", "7505", "7606"];

  test.beforeAll(async () => {
    lab = await startLab();
  });
  test.afterAll(async () => {
    await lab?.stop();
  });
  test.afterEach(async ({ page: _page }, info) => {
    if (info.status !== info.expectedStatus) await info.attach("worker.log", { body: lab?.output() ?? "", contentType: "text/plain" });
  });

  test("create a sequence (lock-out check first), then the port is closed", async ({ page }) => {
    await logIn(page);
    await page.goto("/sequences/new");
    await fillDoor(page, { name: door, knocks, open: { ports: [PROTECTED_PORT], seconds: 300 } });
    await page.getByRole("button", { name: "Create" }).click();
    // 127.0.0.1 is not trusted: the save is refused until the box is ticked, and nothing is saved.
    await expect(page.locator("#e-confirmLockout")).toContainText("not in any trusted network");
    expect(count("doors", `name = '${door}'`)).toBe(0);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(door);
    await page.getByLabel("I understand; protect these ports anyway.").check();
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/sequences\?saved=/);
    await expect(page.getByTestId(`door-${door}`)).toContainText("7101 7202:udp 7303");
    await expectConfigApplied(page);
    expect(await expectConnect(lab, false)).toBe(true);
  });

  test("knock it from the client: Stage and OPEN SESAME appear live, the grant counts down, the port opens", async ({ page }) => {
    await logIn(page);
    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    const log = page.getByTestId("live-log");
    const ip = lab.net.clientIp;
    await watchLag(page, "grant", { inTestId: "live-log", text: `${ip}: ${door}: OPEN SESAME`, rowTestId: `grant-${ip}` });
    const chart = page.getByTestId("activity-chart");
    const before = chartCounts((await chart.getAttribute("aria-label"))!);
    const t0 = Date.now();
    await lab.knock(knocks);
    const knocked = Date.now();
    await expect(log).toContainText(`${ip}: ${door}: Stage 1`, { timeout: 5000 });
    await expect(log).toContainText(`${ip}: ${door}: Stage 3`);
    await expect(log).toContainText(`${ip}: ${door}: OPEN SESAME`);
    const shown = Date.now();
    test.info().annotations.push({ type: "packet-to-screen", description: `${shown - knocked} ms after the last knock (${knocked - t0} ms knocking)` });
    console.log(`OPEN SESAME on screen ${shown - knocked} ms after the knock client returned`);
    expect(shown - knocked).toBeLessThan(1000);
    const grant = page.getByTestId(`grant-${ip}`);
    await expect(grant).toBeVisible();
    // The tables follow the same stream as the log: the grant row comes with the line, not a state poll later.
    const lag = await readLag(page, "grant");
    test.info().annotations.push({ type: "grant-row-after-log-line", description: `${lag.toFixed(0)} ms` });
    console.log(`grant row on screen ${lag.toFixed(0)} ms after the OPEN SESAME line`);
    expect(lag).toBeLessThan(300);
    // The chart counts them too, without a reload, and its axis is 24-hour like every other time.
    await expect(chart).toHaveAttribute("aria-label", new RegExp(`: ${before.knocks + 3} knocks, ${before.opens + 1} opens,`));
    const ticks = await chart.locator("text.x-tick").allTextContents();
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) expect(t).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
    await expect(grant).toContainText(`${PROTECTED_PORT}/tcp`);
    const first = await grant.getByTestId("countdown").textContent();
    expect(first).toMatch(/^[45]:\d\d$/);
    await expect(grant.getByTestId("countdown")).not.toHaveText(first!, { timeout: 3000 });
    expect(await expectConnect(lab, true)).toBe(true);

    // Extend by 15 minutes: the countdown jumps past 15:00.
    await grant.getByLabel(`Extend ${ip} by`).selectOption("900");
    await grant.getByRole("button", { name: `Extend grant of ${ip}` }).click();
    await expect(grant.getByTestId("countdown")).toHaveText(/^(19|20):\d\d$/);
  });

  test("revoke the grant: it disappears and a TCP connect then fails", async ({ page }) => {
    await logIn(page);
    await page.goto("/");
    const ip = lab.net.clientIp;
    await page.getByRole("button", { name: `Revoke grant of ${ip}` }).click();
    await expect(page.getByTestId(`grant-${ip}`)).toHaveCount(0);
    expect(await expectConnect(lab, false)).toBe(true);
    // The audit log names the address and the door, not just "grant #n".
    expect(lastAudit("revoke")).toMatchObject({ ip, door });
    await page.goto("/audit");
    await expect(page.getByTestId("audit-table")).toContainText(`revoke grant`);
    await expect(page.getByTestId("audit-table")).toContainText(`${ip}, door ${door}`);
  });

  test("whitelist the client's network: it connects without knocking", async ({ page }) => {
    await logIn(page);
    await page.goto("/trusted");
    await page.getByLabel("Network (CIDR) or address").fill(`${lab.net.subnet}.0.0/16`);
    await page.getByLabel("Comment").fill("e2e client net");
    await expectConfigApplied(page);
    await recordTexts(page, "config-status");
    const clicked = await pageNow(page);
    await page.getByRole("button", { name: "Add trusted network" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Trusted" })).toBeVisible();
    await expect(page.getByTestId(`trusted-${lab.net.subnet}.0.0/16`)).toBeVisible();
    // The header follows the save at once, then the worker's heartbeat (both through the live stream).
    await expect(page.getByTestId("config-status")).toContainText("Config applied", { timeout: 3000 });
    const texts = (await readTexts(page, "config-status")).filter((x) => x.t >= clicked);
    const applying = texts.find((x) => x.text?.startsWith("Applying…"));
    const applied = texts.find((x) => x.text?.startsWith("Config applied") && x.t > (applying?.t ?? Infinity));
    expect(applying, `the header never said Applying… after the save: ${JSON.stringify(texts)}`).toBeDefined();
    expect(applied).toBeDefined();
    const figures = `applying ${(applying!.t - clicked).toFixed(0)} ms after the click, applied ${(applied!.t - clicked).toFixed(0)} ms`;
    test.info().annotations.push({ type: "config-status", description: figures });
    console.log(`config status: ${figures}`);
    expect(applied!.t - clicked).toBeLessThan(1500);
    await page.getByLabel("Address", { exact: true }).fill(lab.net.clientIp);
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByTestId("trust-check")).toContainText(`${lab.net.clientIp} is trusted`);
    await expectConfigApplied(page);
    expect(await expectConnect(lab, true)).toBe(true);
    // Remove it again; the port closes.
    await page.getByRole("button", { name: `Remove ${lab.net.subnet}.0.0/16` }).click();
    await page.getByRole("button", { name: "Yes" }).click();
    await expect(page.getByTestId(`trusted-${lab.net.subnet}.0.0/16`)).toHaveCount(0);
    expect(await expectConnect(lab, false)).toBe(true);
  });

  test("add a decoy, knock it: the ban shows up, blocks the open door; unban lifts it", async ({ page }) => {
    await logIn(page);
    await page.goto("/decoys");
    await page.getByRole("link", { name: "New decoy" }).click();
    await fillDoor(page, { name: decoy, knocks: decoyKnocks, ban: { seconds: 600 } });
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/decoys\?saved=/);
    await expectConfigApplied(page);

    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    const ip = lab.net.clientIp;
    await lab.knock(decoyKnocks);
    await expect(page.getByTestId("live-log")).toContainText(`${ip}: ${decoy}: BANNED for 10 min`);
    const ban = page.getByTestId(`ban-${ip}`);
    await expect(ban).toBeVisible();
    await expect(ban).toContainText(decoy);
    await expect(ban.getByTestId("countdown")).toHaveText(/^(9|10):\d\d$/);

    // Banned: knocking the real door does not open it.
    await lab.knock(knocks);
    await expect(page.getByTestId("live-log")).toContainText(`${ip}: ${door}: completed the sequence while banned: not opened`);
    expect(await lab.connects()).toBe(false);

    // The decoys page lists the ban too; unban there.
    await page.goto("/decoys");
    await expect(page.getByTestId(`ban-${ip}`)).toBeVisible();
    await page.getByRole("button", { name: `Unban ${ip}` }).click();
    await expect(page.getByTestId(`ban-${ip}`)).toHaveCount(0);
    expect(lastAudit("unban")).toMatchObject({ ip, door: decoy });
    await page.goto("/");
    await expect(page.getByTestId(`ban-${ip}`)).toHaveCount(0);
    // Unbanned: the door works again.
    await expect(page.getByTestId("stream-status")).toContainText("live");
    await lab.knock(knocks);
    await expect(page.getByTestId(`grant-${ip}`)).toBeVisible();
    expect(await expectConnect(lab, true)).toBe(true);
  });

  test("a short ban: its row stays until the kernel has lifted it, then the door opens at once", async ({ page }) => {
    const blink = "e2e-blink";
    await logIn(page);
    const ip = lab.net.clientIp;
    await page.goto("/");
    await page.getByRole("button", { name: `Revoke grant of ${ip}` }).click();
    await expect(page.getByTestId(`grant-${ip}`)).toHaveCount(0);
    await page.goto("/decoys");
    await page.getByRole("link", { name: "New decoy" }).click();
    await fillDoor(page, { name: blink, knocks: ["7707", "7808", "7909"], ban: { seconds: 3 } });
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/decoys\?saved=/);
    await expectConfigApplied(page);

    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    await lab.knock(["7707", "7808", "7909"]);
    const ban = page.getByTestId(`ban-${ip}`);
    await expect(ban).toBeVisible();
    const { expiresAt } = testDb().$client.prepare("SELECT expires_at AS expiresAt FROM bans WHERE ip = ? AND door_name = ? ORDER BY id DESC").get(ip, blink) as { expiresAt: number };
    await expect(ban).toHaveCount(0, { timeout: 8000 });
    const left = Date.now() - expiresAt;
    test.info().annotations.push({ type: "ban-row-after-expiry", description: `${left} ms` });
    console.log(`ban row left ${left} ms after its expiresAt`);
    // The table says nobody is banned: the kernel must agree, so the real door works right now.
    await lab.knock(knocks);
    await expect(page.getByTestId(`grant-${ip}`)).toBeVisible();
    expect(await lab.connects()).toBe(true);
  });
});

/** The `after` of the newest audit entry with this action. */
function lastAudit(action: string): Record<string, unknown> {
  const row = testDb().$client.prepare("SELECT after FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1").get(action) as { after: string } | undefined;
  return row ? (JSON.parse(row.after) as Record<string, unknown>) : {};
}

/** The chart's totals, from its accessible summary ("Activity, …: 3 knocks, 1 opens, 0 bans."). */
function chartCounts(label: string): { knocks: number; opens: number; bans: number } {
  const m = /: (\d+) knocks, (\d+) opens, (\d+) bans\./.exec(label);
  if (!m) throw new Error(`unexpected chart summary: ${label}`);
  return { knocks: Number(m[1]), opens: Number(m[2]), bans: Number(m[3]) };
}
