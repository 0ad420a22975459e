import { expect, test } from "@playwright/test";
import { testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

/**
 * The /metrics bearer token from the Settings page: shown once when created,
 * stored only as a hash, required from then on, replaced by a rotation,
 * removed again (back to loopback only); each change audited without the token.
 */
test("settings: create, use, rotate and remove the metrics token", async ({ page, request }) => {
  await logIn(page);
  await page.goto("/settings");
  const card = page.locator("section", { has: page.getByRole("heading", { name: "Metrics" }) });
  await expect(card.getByTestId("metrics-token-state")).toContainText("No token is set");

  await card.getByRole("button", { name: "Create token" }).click();
  const shown = card.getByTestId("metrics-token");
  await expect(shown).toHaveText(/^smt_[A-Za-z0-9_-]{43}$/);
  const first = (await shown.textContent())!;
  const stored = (testDb().$client.prepare("SELECT value FROM settings WHERE key = 'metricsToken'").get() as { value: string }).value;
  expect(stored).not.toContain(first);
  expect(stored).toMatch(/"sha256":"[0-9a-f]{64}"/);

  const scrape = (token?: string) => request.get("/metrics", { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect((await scrape()).status()).toBe(401);
  expect((await scrape(first)).status()).toBe(200);

  // Shown once: a reload names the token by its prefix only.
  await page.reload();
  await expect(card.getByTestId("metrics-token")).toHaveCount(0);
  await expect(card.getByTestId("metrics-token-state")).toContainText(first.slice(0, 10));
  expect(await page.content()).not.toContain(first);

  await card.getByRole("button", { name: "Rotate token" }).click();
  await expect(shown).toHaveText(/^smt_/);
  const second = (await shown.textContent())!;
  expect(second).not.toBe(first);
  expect((await scrape(first)).status()).toBe(401);
  expect((await scrape(second)).status()).toBe(200);

  await card.getByRole("button", { name: "Remove token" }).click();
  await expect(card.getByTestId("metrics-token-state")).toContainText("No token is set");
  expect((await scrape()).status()).toBe(200);
  expect((await scrape(second)).status()).toBe(200); // loopback: no token needed once none is set

  const audit = testDb().$client.prepare("SELECT action, before, after FROM audit WHERE entity = 'metrics-token' ORDER BY id DESC LIMIT 3").all() as { action: string }[];
  expect(audit.map((a) => a.action)).toEqual(["delete", "rotate", "create"]);
  expect(JSON.stringify(audit)).not.toContain(first.slice(10));
  expect(JSON.stringify(audit)).not.toContain(second.slice(10));
});
