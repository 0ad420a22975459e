import { expect, test } from "@playwright/test";
import { testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

/**
 * API tokens from the Settings page: scopes chosen, shown once, stored as a
 * hash, listed with prefix and last use, refused at once when revoked;
 * audited without the token. (The three API uses: e2e/api/api-v1.spec.ts.)
 */
test("settings: create an API token, use it, see its last use, revoke it", async ({ page, request }) => {
  await logIn(page);
  await page.goto("/settings");
  const card = page.locator("section", { has: page.getByRole("heading", { name: "API tokens" }) });

  await card.getByRole("button", { name: "Create API token" }).click();
  await expect(card.getByText("Choose at least one scope.")).toBeVisible();
  await expect(card.getByText("Name is required.")).toBeVisible();

  await card.getByLabel("Token name").fill("e2e-lister");
  await card.getByLabel(/^read/).check();
  await card.getByLabel("Expires after (days, optional)").fill("7");
  await card.getByRole("button", { name: "Create API token" }).click();
  const shown = card.getByTestId("api-token");
  await expect(shown).toHaveText(/^sst_[A-Za-z0-9_-]{43}$/);
  const token = (await shown.textContent())!;
  const stored = JSON.stringify(testDb().$client.prepare("SELECT * FROM api_tokens WHERE name = 'e2e-lister'").get());
  expect(stored).not.toContain(token);

  const list = (t: string) => request.get("/api/v1/grants", { headers: { Authorization: `Bearer ${t}` } });
  expect((await list(token)).status()).toBe(200);
  expect((await request.post("/api/v1/bans", { headers: { Authorization: `Bearer ${token}` }, data: { ip: "192.0.2.9", durationSec: 60 } })).status()).toBe(403);

  await page.reload();
  const row = card.getByTestId("api-token-e2e-lister");
  await expect(row).toContainText(token.slice(0, 10));
  await expect(row).toContainText("read");
  await expect(row).toContainText("active until");
  await expect(row).not.toContainText("never"); // last used just now
  expect(await page.content()).not.toContain(token);

  await row.getByRole("button", { name: "Revoke e2e-lister" }).click();
  await expect(row).toContainText("revoked");
  const refused = await list(token);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized");

  const audit = testDb().$client.prepare("SELECT action, after FROM audit WHERE entity = 'api-token' ORDER BY id DESC LIMIT 2").all() as { action: string; after: string }[];
  expect(audit.map((a) => a.action)).toEqual(["revoke", "create"]);
  expect(JSON.stringify(audit)).not.toContain(token.slice(10));
  expect(JSON.stringify(audit)).not.toContain("sha256");
});
