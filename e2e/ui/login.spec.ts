import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD } from "../helpers/env";

test.describe("login page", () => {
  test("wrong password shows an error; the right one opens the dashboard", async ({ browser, baseURL }) => {
    const ctx = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.41" } });
    const page = await ctx.newPage();
    await page.goto("/sequences");
    await expect(page).toHaveURL(/\/login\?next=%2Fsequences/);
    await page.getByLabel("Admin password").fill("definitely-wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.locator(".notice[role=alert]")).toContainText("Wrong password");
    await page.getByLabel("Admin password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/sequences$/);
    await expect(page.getByRole("heading", { name: "Knock sequences" })).toBeVisible();
    // Log out from the header.
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await ctx.close();
  });

  test("throttling kicks in after 5 failures with a countdown message", async ({ browser, baseURL }) => {
    const ctx = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.42" } });
    const page = await ctx.newPage();
    await page.goto("/login");
    for (let i = 1; i <= 5; i++) {
      await page.getByLabel("Admin password").fill(`wrong-${i}`);
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.locator(".notice[role=alert]")).toContainText(i < 5 ? `${5 - i} attempt` : "Too many failed attempts");
    }
    await page.getByLabel("Admin password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.locator(".notice[role=alert]")).toHaveText(/Too many failed attempts from your address\. Try again in \d+ s\./);
    await expect(page).toHaveURL(/\/login/);
    // A reload still shows the lock.
    await page.reload();
    await expect(page.locator(".notice[role=alert]")).toContainText("Try again in");
    await ctx.close();
  });
});
