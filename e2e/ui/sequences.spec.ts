import { expect, test } from "@playwright/test";
import { configVersion, testDb } from "../helpers/db";
import { fillDoor } from "../helpers/editor";
import { logIn } from "../helpers/session";

function doorRow(name: string) {
  return testDb().$client.prepare("SELECT * FROM doors WHERE name = ?").get(name) as
    | { id: number; sequence: string; enabled: number; action: string; close_door_name: string | null }
    | undefined;
}

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

test("editor previews the knock command, the knockd.conf section and weak-sequence warnings", async ({ page }) => {
  await page.goto("/sequences/new");
  await fillDoor(page, { name: "preview-door", knocks: ["7000", "8000", "9000"], open: { ports: [22], seconds: 60 } });
  await expect(page.getByTestId("knock-command")).toHaveText("knock 127.0.0.1 7000 8000 9000");
  await expect(page.getByTestId("knockd-section")).toContainText("[preview-door]");
  await expect(page.getByTestId("knockd-section")).toContainText("Sequence           = 7000,8000,9000");
  // knockd's documented example is the first thing scanners try.
  await expect(page.getByRole("status").filter({ hasText: "Weak sequence" })).toBeVisible();
  await page.getByLabel("Knock 2, protocol").selectOption("udp");
  await expect(page.getByTestId("knock-command")).toHaveText("knock 127.0.0.1 7000 8000:udp 9000");
});

test("create, edit (reorder steps), disable/enable and delete a sequence; every write bumps configVersion and is audited", async ({ page }) => {
  const v0 = configVersion();
  await page.goto("/sequences/new");
  await fillDoor(page, { name: "crud-door", knocks: ["5101", "5202:udp", "5303"], open: { ports: [2201, 2202], seconds: 120 } });
  // No trusted network covers 127.0.0.1 here unless an earlier spec added one; tick if asked.
  const confirm = page.getByLabel("I understand; protect these ports anyway.");
  if (await confirm.count()) await confirm.check();
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/sequences\?saved=crud-door/);
  await expect(page.getByTestId("door-crud-door")).toContainText("open 2201/tcp, 2202/tcp for 2 min");
  expect(configVersion()).toBe(v0 + 1);
  const id = doorRow("crud-door")!.id;

  // Edit: move the UDP knock to the front, change the timeout.
  await page.goto(`/sequences/${id}`);
  await page.getByRole("button", { name: "Move knock 2 up" }).click();
  await expect(page.getByLabel("Knock 1, port number")).toHaveValue("5202");
  await expect(page.getByLabel("Knock 1, protocol")).toHaveValue("udp");
  await page.getByLabel("Sequence timeout (s)").fill("9");
  await page.getByRole("button", { name: "Remove open port 2" }).click();
  if (await confirm.count()) await confirm.check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(/\/sequences\?saved=crud-door/);
  await expect(page.getByTestId("door-crud-door")).toContainText("5202:udp 5101 5303");
  await expect(page.getByTestId("door-crud-door")).toContainText("9 s");
  expect(JSON.parse(doorRow("crud-door")!.sequence)).toEqual([
    { port: 5202, protocol: "udp" },
    { port: 5101, protocol: "tcp" },
    { port: 5303, protocol: "tcp" },
  ]);
  expect(configVersion()).toBe(v0 + 2);

  // Disable, then enable again (enabling protects a port: may ask for the lock-out confirmation).
  await page.getByRole("button", { name: "Disable crud-door" }).click();
  await expect(page.getByTestId("door-crud-door").getByText("disabled", { exact: true })).toBeVisible();
  expect(doorRow("crud-door")!.enabled).toBe(0);
  await page.getByRole("button", { name: "Enable crud-door" }).click();
  const row = page.getByTestId("door-crud-door");
  // Either enabled at once (127.0.0.1 is trusted) or the lock-out confirmation is asked for first.
  await expect(row.getByText(/^enabled$|I understand; enable anyway\./)).toBeVisible();
  const enableAnyway = row.getByLabel("I understand; enable anyway.");
  if (await enableAnyway.count()) {
    await expect(row).toContainText("not in any trusted network");
    expect(doorRow("crud-door")!.enabled).toBe(0);
    await enableAnyway.check();
    await page.getByRole("button", { name: "Enable crud-door" }).click();
  }
  await expect(row.getByText("enabled", { exact: true })).toBeVisible();
  expect(doorRow("crud-door")!.enabled).toBe(1);

  // Delete (two steps).
  await page.getByRole("button", { name: "Delete crud-door" }).click();
  await page.getByRole("button", { name: "Yes" }).click();
  await expect(page.getByTestId("door-crud-door")).toHaveCount(0);
  expect(doorRow("crud-door")).toBeUndefined();

  // The audit log has each step with before/after.
  await page.goto("/audit");
  const table = page.getByTestId("audit-table");
  for (const action of ["create", "update", "disable", "enable", "delete"]) {
    await expect(table.locator("tr", { hasText: "crud-door" }).filter({ hasText: action }).first()).toBeVisible();
  }
  const audit = testDb().$client.prepare("SELECT before, after FROM audit WHERE entity = 'door' AND action = 'update' ORDER BY id DESC LIMIT 1").get() as {
    before: string;
    after: string;
  };
  expect(JSON.parse(audit.before).seq_timeout_ms ?? JSON.parse(audit.before).seqTimeoutMs).toBe(25_000);
  expect(JSON.parse(audit.after).seq_timeout_ms ?? JSON.parse(audit.after).seqTimeoutMs).toBe(9_000);
});

test("the header shows when the worker has not applied the latest change", async ({ page }) => {
  // No worker runs during this spec: its last heartbeat is missing, or from an earlier spec's worker
  // that may have stopped only seconds ago. The header says offline once the heartbeat is older than
  // WORKER_OFFLINE_AFTER_MS (15 s), pushed by the live stream within 5 s after that.
  await page.goto("/");
  await expect(page.getByTestId("config-status")).toContainText(/Worker offline|Worker not started/, { timeout: 25_000 });
});
