import { expect, test } from "@playwright/test";
import { testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

/** The syslog switch is one setting the worker follows (tests/net/worker-syslog.test.ts shows the lines). */
test("settings: 'send events to syslog' is saved, audited, and shown as saved", async ({ page }) => {
  const stored = () => (testDb().$client.prepare("SELECT value FROM settings WHERE key = 'syslog'").get() as { value: string } | undefined)?.value;
  await logIn(page);
  await page.goto("/settings");
  const box = page.getByLabel(/Send events to syslog/);
  await expect(box).not.toBeChecked();
  await box.check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  expect(stored()).toBe("true");
  await page.reload();
  await expect(page.getByLabel(/Send events to syslog/)).toBeChecked();
  await page.getByLabel(/Send events to syslog/).uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  expect(stored()).toBe("false");
  const audit = testDb().$client.prepare("SELECT after FROM audit WHERE entity = 'setting' AND entity_id = 'syslog' ORDER BY id DESC LIMIT 2").all() as { after: string }[];
  expect(audit.map((a) => a.after)).toEqual(["false", "true"]);
});
