import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

/** Seed a small, known history (as the worker would write it) and filter it. */
test.beforeAll(() => {
  const db = testDb().$client;
  const insert = db.prepare("INSERT INTO events (ts, ip, door_name, kind, stage, detail) VALUES (?, ?, ?, ?, ?, ?)");
  const base = Date.now() - 3_600_000;
  db.transaction(() => {
    for (let i = 0; i < 30; i++) {
      const ip = `203.0.113.${10 + (i % 3)}`;
      insert.run(base + i * 1000, ip, "hist-door", "stage", 1, "1/2");
      if (i % 3 === 0) insert.run(base + i * 1000 + 500, ip, "hist-door", "open", null, JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 60 }));
    }
    insert.run(base, "198.18.0.1", "other-door", "timeout", 1, null);
  })();
});

test("filter by network and kind, page through, and download the CSV", async ({ page }) => {
  await logIn(page);
  await page.goto("/history");
  await page.getByLabel("Address or network").fill("203.0.113.0/28");
  await page.getByLabel("Kind").selectOption("open");
  await page.getByLabel("Rows per page").selectOption("25");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/ip=203\.0\.113\.0%2F28/);
  const rows = page.getByTestId("history-table").locator("tbody tr");
  await expect(rows).toHaveCount(10);
  await expect(rows.first()).toContainText("OPEN SESAME → 22/tcp for 1 min");
  for (const r of await rows.all()) await expect(r).toContainText("203.0.113.");

  // Stage events: 30 rows → 2 pages of 25.
  await page.getByLabel("Kind").selectOption("stage");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows).toHaveCount(25);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(rows).toHaveCount(5);
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(rows).toHaveCount(25);

  // CSV of the current filter (all pages).
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, "utf8").trim().split("\r\n");
  expect(csv[0]).toBe("id,time,ip,door,user,kind,stage,detail,message");
  expect(csv).toHaveLength(31);
  expect(csv.slice(1).every((l) => l.includes(",203.0.113.") && l.includes(",stage,"))).toBe(true);

  // An exact address and the OPEN SESAME view.
  await page.goto("/history?ip=203.0.113.11");
  await expect(rows).toHaveCount(10);
  await page.getByRole("link", { name: "OPEN SESAME history" }).click();
  await expect(page).toHaveURL(/view=opens/);
});
