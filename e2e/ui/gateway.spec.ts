import { expect, test } from "@playwright/test";
import { createHash } from "node:crypto";
import { must } from "@sesame/testkit";
import { testDb } from "../helpers/db";
import { shoot } from "../helpers/screenshot";
import { startLab, type Lab } from "../helpers/net";
import { logIn } from "../helpers/session";
import { setAsideTrusted } from "../helpers/trusted";

/**
 * The Gateway page against the real worker: forwards added, edited, toggled
 * and removed through the UI (validated, audited, lock-out checked); the
 * worker puts them into nftables in its namespace; the page shows whether
 * that namespace forwards (the worker's heartbeat reads the sysctl) and warns
 * while it does not. The traffic itself is tests/net/gateway.test.ts.
 */

const db = () => testDb().$client;
const forwardRow = (name: string) => db().prepare("SELECT * FROM forwards WHERE name = ?").get(name) as { id: number; port: number; to_port: number; dnat: number; enabled: number } | undefined;
const audits = () => db().prepare("SELECT action FROM audit WHERE entity = 'forward' ORDER BY id").all().map((r) => (r as { action: string }).action);


test.describe.serial("gateway", () => {
  let lab: Lab;
  /** Puts back the trusted networks covering the browser's 127.0.0.1, set aside so the lock-out check shows. */
  let restoreTrusted = () => {};

  test.beforeAll(async () => {
    db().prepare("DELETE FROM forwards").run();
    restoreTrusted = setAsideTrusted();
    lab = await startLab({ tag: "e2egw" });
  });

  test.afterAll(async () => {
    db().prepare("DELETE FROM forwards").run();
    restoreTrusted();
    await lab?.stop();
  });

  test("forwards: add (lock-out check), validation, edit, routed, duplicate, toggle, remove; all audited", async ({ page }) => {
    await logIn(page);
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Gateway" }).click();
    await expect(page).toHaveURL(/\/gateway$/);
    await expect(page.getByRole("heading", { name: "Gateway", level: 1 })).toBeVisible();
    await expect(page.getByText("No forwards: nothing behind this host is gated.")).toBeVisible();

    const form = page.getByRole("form", { name: "Add a forward" });
    await form.getByLabel("Name").fill("intranet web");
    await form.getByLabel("Port", { exact: true }).fill("8080");
    await form.getByLabel("Inside host", { exact: true }).fill("intranet.example");
    await form.getByRole("button", { name: "Add forward" }).click();
    await expect(page.getByText("Inside address: intranet.example is not an IPv4 or IPv6 address.")).toBeVisible();
    expect(forwardRow("intranet web")).toBeUndefined();

    await form.getByLabel("Inside host", { exact: true }).fill("10.9.0.5");
    await form.getByLabel("Inside port (optional)").fill("80");
    await expect(form.getByLabel(/^DNAT/)).toBeChecked();
    await form.getByRole("button", { name: "Add forward" }).click();
    // tcp/8080 becomes a protected port of this host while nothing trusts 127.0.0.1: asked first, nothing saved
    await expect(page.getByText(/This change protects 8080\/tcp/).first()).toBeVisible();
    expect(forwardRow("intranet web")).toBeUndefined();
    await page.getByLabel("I understand; save anyway.").check();
    await page.getByRole("button", { name: "Add forward" }).click();
    await expect(page).toHaveURL(/saved=intranet%20web/);
    const web = page.getByTestId("forward-intranet web");
    await expect(web).toContainText("this host, tcp/8080");
    await expect(web).toContainText("DNAT");
    await expect(web).toContainText("10.9.0.5:80");
    await expect(web).toContainText("no door or user opens tcp/8080");
    expect(forwardRow("intranet web")).toMatchObject({ port: 8080, to_port: 80, dnat: 1, enabled: 1 });

    await web.getByRole("link", { name: "intranet web" }).click();
    const edit = page.getByRole("form", { name: "Edit intranet web" });
    await expect(edit.getByLabel("Inside host", { exact: true })).toHaveValue("10.9.0.5");
    await edit.getByLabel("Inside port (optional)").fill("8081");
    await edit.getByRole("button", { name: "Save forward" }).click();
    await expect(page.getByTestId("forward-intranet web")).toContainText("10.9.0.5:8081");

    // Routed: the inside host is addressed directly, so the inside port is the port.
    const add = page.getByRole("form", { name: "Add a forward" });
    await add.getByLabel("Name").fill("inside ssh");
    await add.getByLabel("Port", { exact: true }).fill("22");
    await add.getByLabel("Inside host", { exact: true }).fill("10.9.0.6");
    await add.getByLabel("Inside port (optional)").fill("2222");
    await add.getByLabel(/^DNAT/).uncheck();
    await add.getByRole("button", { name: "Add forward" }).click();
    await expect(page.getByText("Without DNAT clients connect to the inside host's port 22 themselves: leave the inside port empty or make it 22.")).toBeVisible();
    await expect(add.getByLabel(/^DNAT/)).not.toBeChecked();
    await add.getByLabel("Inside port (optional)").fill("");
    await add.getByRole("button", { name: "Add forward" }).click();
    await expect(page).toHaveURL(/saved=inside%20ssh/);
    await expect(page.getByTestId("forward-inside ssh")).toContainText("10.9.0.6, tcp/22");
    await expect(page.getByTestId("forward-inside ssh")).toContainText("routed");

    // One public port reaches one inside service.
    await add.getByLabel("Name").fill("second web");
    await add.getByLabel("Port", { exact: true }).fill("8080");
    await add.getByLabel("Inside host", { exact: true }).fill("10.9.0.7");
    await add.getByRole("button", { name: "Add forward" }).click();
    await expect(page.getByText(/tcp\/8080 is already forwarded by “intranet web”/)).toBeVisible();
    expect(forwardRow("second web")).toBeUndefined();

    await page.getByRole("button", { name: "Disable inside ssh" }).click();
    await expect(page.getByTestId("forward-inside ssh")).toContainText("disabled");
    expect(forwardRow("inside ssh")?.enabled).toBe(0);
    await page.getByRole("button", { name: "Remove inside ssh" }).click();
    await page.getByRole("button", { name: "Yes" }).click();
    await expect(page.getByText("Done: removed inside ssh.")).toBeVisible();
    await expect(page.getByTestId("forward-inside ssh")).toHaveCount(0);
    expect(audits()).toEqual(["create", "update", "create", "disable", "delete"]);
  });

  test("the worker applies the forward; the page shows whether the host forwards and warns while it does not", async ({ page }) => {
    await logIn(page);
    // a new namespace may inherit the root namespace's IPv4 forwarding: start from "off"
    await must(["sysctl", "-q", "-w", "net.ipv4.ip_forward=0"], { ns: lab.net.server });
    // the worker's nftables in its namespace holds the DNAT (inside port 8081 since the edit)
    await expect.poll(async () => (await must(["nft", "list", "map", "inet", "sesame", "dnat4"], { ns: lab.net.server })).includes("tcp . 8080 : 10.9.0.5 . 8081"), { timeout: 10_000 }).toBe(true);
    await page.goto("/gateway");
    const status = page.getByTestId("forwarding-state");
    const afterReload = async (): Promise<string | null> => {
      await page.reload();
      return status.textContent();
    };
    // the namespace does not forward: the heartbeat says so and the page warns
    await expect.poll(afterReload, { timeout: 10_000 }).toContain("IPv4 forwarding (net.ipv4.ip_forward) off");
    await expect(status.getByRole("alert")).toContainText("IPv4 forwarding is off on this host, so the forwards to IPv4 hosts cannot be reached.");
    await expect(status).toContainText("the worker gates 1 of 1 enabled forward");
    await shoot(page, "gateway-forwarding-off");

    await must(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], { ns: lab.net.server });
    await expect.poll(afterReload, { timeout: 10_000 }).toContain("IPv4 forwarding (net.ipv4.ip_forward) on");
    await expect(status.getByRole("alert")).toHaveCount(0);
    await shoot(page, "gateway");
  });

  test("GET /api/v1/forwards: the forwards and the forwarding state for a read token; other scopes are refused", async ({ request }) => {
    const sha256 = (t: string) => createHash("sha256").update(t).digest("hex");
    const tokens = { read: `sst_${"gateway-read".padEnd(43, "x")}`, trusted: `sst_${"gateway-trusted".padEnd(43, "x")}` };
    const insert = db().prepare("INSERT INTO api_tokens (name, scopes, sha256, prefix, created_by) VALUES (?, ?, ?, ?, 'e2e')");
    const ids = Object.entries(tokens).map(([scope, t]) => Number(insert.run(`e2e gateway ${scope}`, JSON.stringify([scope]), sha256(t), t.slice(0, 10)).lastInsertRowid));
    try {
      const res = await request.get("/api/v1/forwards", { headers: { Authorization: `Bearer ${tokens.read}` } });
      expect(res.status()).toBe(200);
      const body = (await res.json()) as { forwards: { name: string; port: number; toAddress: string; toPort: number; dnat: boolean }[]; forwarding: { ipv4: boolean | null } };
      expect(body.forwards).toEqual([expect.objectContaining({ name: "intranet web", port: 8080, toAddress: "10.9.0.5", toPort: 8081, dnat: true })]);
      expect(body.forwarding.ipv4).toBe(true);
      expect((await request.get("/api/v1/forwards", { headers: { Authorization: `Bearer ${tokens.trusted}` } })).status()).toBe(403);
      expect((await request.get("/api/v1/forwards")).status()).toBe(401);
    } finally {
      db().prepare(`DELETE FROM api_tokens WHERE id IN (${ids.map(() => "?").join(",")})`).run(...ids);
    }
  });
});
