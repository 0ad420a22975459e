import { expect, test, type Page } from "@playwright/test";
import { configVersion, count, testDb } from "../helpers/db";
import { fillDoor } from "../helpers/editor";
import { logIn } from "../helpers/session";

/**
 * Bad input on every form: a field-level error next to the field, what the
 * user typed is still there, and nothing at all was saved (row counts,
 * settings and configVersion unchanged).
 */

function snapshot() {
  const settings = testDb().$client.prepare("SELECT key, value FROM settings WHERE key != 'configVersion' ORDER BY key").all();
  return { version: configVersion(), doors: count("doors"), trusted: count("trusted_networks"), audit: count("audit"), settings };
}

async function fieldError(page: Page, inputLabel: string | RegExp) {
  const input = page.getByLabel(inputLabel, { exact: typeof inputLabel === "string" });
  await expect(input).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await input.getAttribute("aria-describedby")) ?? "";
  const errId = describedBy.split(" ").find((id) => id.includes("err") || id.startsWith("e-"));
  expect(errId, `no error id on ${inputLabel}`).toBeTruthy();
  return page.locator(`[id="${errId}"]`);
}

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

test("sequence editor: each bad field gets its own message; nothing is saved", async ({ page }) => {
  const before = snapshot();
  await page.goto("/sequences/new");
  await fillDoor(page, { name: "bad name!", knocks: ["70000", "8000:udp"], open: { ports: [22], seconds: 0 } });
  await page.getByLabel("Open port 1, port number").fill("");
  await page.getByLabel("Sequence timeout (s)").fill("0");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(await fieldError(page, "Name")).toContainText("Name may only contain letters");
  await expect(await fieldError(page, "Knock 1, port number")).toContainText("Port must be a whole number from 1 to 65535.");
  await expect(await fieldError(page, "Open port 1, port number")).toContainText("Port must be");
  await expect(await fieldError(page, "Open for (s)")).toContainText("Open duration must be");
  await expect(await fieldError(page, "Sequence timeout (s)")).toContainText("Sequence timeout must be");
  // What was typed is still there.
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("bad name!");
  await expect(page.getByLabel("Knock 2, port number")).toHaveValue("8000");
  await expect(page.getByLabel("Knock 2, protocol")).toHaveValue("udp");
  expect(snapshot()).toEqual(before);

  // No knocks at all.
  await page.goto("/sequences/new");
  await page.getByLabel("Name", { exact: true }).fill("empty-door");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The knock sequence needs at least one knock." })).toBeVisible();
  expect(snapshot()).toEqual(before);
});

test("sequence editor: a duplicate name is refused on the name field", async ({ page }) => {
  await page.goto("/sequences/new");
  await fillDoor(page, { name: "dup-door", knocks: ["6101", "6102", "6103"], ban: { seconds: 60 } });
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/decoys\?saved=dup-door/);
  const before = snapshot();
  await page.goto("/sequences/new");
  await fillDoor(page, { name: "dup-door", knocks: ["6201", "6202", "6203"], ban: { seconds: 60 } });
  await page.getByRole("button", { name: "Create" }).click();
  await expect(await fieldError(page, "Name")).toContainText('A door named "dup-door" already exists');
  expect(snapshot()).toEqual(before);
});

test("trusted networks: invalid, overlapping and past-expiry entries are refused", async ({ page }) => {
  await page.goto("/trusted");
  const before = snapshot();
  await page.getByLabel("Network (CIDR) or address").fill("10.0.0.300/24");
  await page.getByLabel("Comment").fill("typo net");
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(await fieldError(page, "Network (CIDR) or address")).toContainText("is not an IPv4 or IPv6 address");
  await expect(page.getByLabel("Comment")).toHaveValue("typo net");
  await expect(page.getByLabel("Network (CIDR) or address")).toHaveValue("10.0.0.300/24");

  await page.getByLabel("Network (CIDR) or address").fill("2001:db8::/129");
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(await fieldError(page, "Network (CIDR) or address")).toContainText("/129");
  expect(snapshot()).toEqual(before);

  await page.getByLabel("Network (CIDR) or address").fill("172.20.0.0/16");
  await page.getByLabel("Comment").fill("lab");
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(page.getByTestId("trusted-172.20.0.0/16")).toBeVisible();
  const afterOne = snapshot();
  await page.getByLabel("Network (CIDR) or address").fill("172.20.5.0/24");
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(await fieldError(page, "Network (CIDR) or address")).toContainText("overlaps 172.20.0.0/16 (lab)");
  await page.getByLabel("Network (CIDR) or address").fill("172.21.0.0/16");
  await page.getByLabel("Expires (optional)").fill("2020-01-01T10:00");
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(await fieldError(page, "Expires (optional)")).toContainText("Expiry must be in the future.");
  expect(snapshot()).toEqual(afterOne);

  // A future expiry: the row shows the time left (the kernel set element carries it as a timeout).
  const inTwoHours = new Date(Date.now() + 2 * 3600_000 + 60_000);
  const local = `${inTwoHours.getFullYear()}-${String(inTwoHours.getMonth() + 1).padStart(2, "0")}-${String(inTwoHours.getDate()).padStart(2, "0")}T${String(inTwoHours.getHours()).padStart(2, "0")}:${String(inTwoHours.getMinutes()).padStart(2, "0")}`;
  await page.getByLabel("Expires (optional)").fill(local);
  await page.getByRole("button", { name: "Add trusted network" }).click();
  await expect(page.getByTestId("trusted-172.21.0.0/16").getByTestId("countdown")).toHaveText(/^2:0\d:\d\d$/);
});

test("settings: a bad interface or retention saves nothing, not even the valid fields", async ({ page }) => {
  await page.goto("/settings");
  const before = snapshot();
  await page.getByLabel("Interfaces").fill("eth0, bad/name");
  await page.getByLabel("Keep history for (days)").fill("0");
  await page.getByLabel("Firewall backend").selectOption("iptables");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(await fieldError(page, "Interfaces")).toContainText("Interface names are 1 to 15 characters");
  await expect(await fieldError(page, "Keep history for (days)")).toContainText("Retention must be");
  await expect(page.getByLabel("Interfaces")).toHaveValue("eth0, bad/name");
  await expect(page.getByLabel("Firewall backend")).toHaveValue("iptables");
  expect(snapshot()).toEqual(before);
});

test("change password: wrong current, short and mismatched new passwords", async ({ page }) => {
  await page.goto("/account");
  const before = snapshot();
  await page.getByLabel("Current password").fill("not-it");
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the new password").fill("different");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(await fieldError(page, "New password")).toContainText("at least 12 characters");
  await expect(await fieldError(page, "Repeat the new password")).toContainText("does not match");
  await page.getByLabel("Current password").fill("not-it");
  await page.getByLabel("New password", { exact: true }).fill("a-long-enough-password");
  await page.getByLabel("Repeat the new password").fill("a-long-enough-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(await fieldError(page, "Current password")).toContainText("The current password is wrong.");
  expect(snapshot()).toEqual(before);
});

test("login: an empty password is a field error", async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.99" } });
  const page = await ctx.newPage();
  await page.goto("/login");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(await fieldError(page, "Admin password")).toContainText("Password is required.");
  await ctx.close();
});

test("history filter: a bad address and a reversed range are field errors", async ({ page }) => {
  await page.goto("/history?ip=999.1.1.1");
  await expect(await fieldError(page, "Address or network")).toContainText("IP filter must be an address or a network");
  await expect(page.getByLabel("Address or network")).toHaveValue("999.1.1.1");
  await page.goto(`/history?from=${encodeURIComponent("2025-02-01T00:00:00Z")}&to=${encodeURIComponent("2025-01-01T00:00:00Z")}`);
  await expect(await fieldError(page, "To")).toContainText("'From' must not be later than 'To'.");
});

test("knockd.conf import: a broken file shows its line errors, one line each, and imports nothing", async ({ page }) => {
  await page.goto("/settings");
  const before = snapshot();
  await page.getByLabel("…or paste it").fill("[openSSH]\n    sequence = 7000,notaport,9000\n    command = /bin/true\n[other]\n    sequence = 1,2,70000\n    seq_timeout = soon\n");
  await page.getByRole("button", { name: "Preview changes" }).click();
  const errors = await fieldError(page, "…or paste it");
  const items = errors.getByRole("listitem");
  await expect(items.first()).toContainText("line 2:");
  const texts = await items.allTextContents();
  expect(texts.length).toBeGreaterThanOrEqual(2);
  // Each item names exactly one line.
  for (const t of texts) expect(t.match(/line \d+:/g), t).toHaveLength(1);
  await expect(page.getByTestId("import-preview")).toHaveCount(0);
  expect(snapshot()).toEqual(before);
});
