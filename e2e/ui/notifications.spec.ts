import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mailHeader, mailText, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "@sesame/testkit/receivers";
import { testDb } from "../helpers/db";
import { REPO_ROOT } from "../helpers/env";
import { PROTECTED_PORT, startLab, type Lab } from "../helpers/net";
import { logIn } from "../helpers/session";

/**
 * Notifications end to end: channels configured in the UI, delivered by the
 * web server to a real HTTP receiver (node:http) and a real SMTP server
 * (smtp-server, STARTTLS with the run's certificate, AUTH), for real knocks
 * against the real worker in a namespace.
 */

const TOKEN = "e2e-bearer-token-1234";
const SMTP_USER = "e2e-mailer";
const SMTP_PASS = "e2e-smtp-password-5678";
const HOOK_PATH = "/hooks/e2e-secret-path";
const door = "e2e-notify";
const decoy = "e2e-notify-decoy";
const knocks = ["7111", "7222:udp", "7333"];
const decoyKnocks = ["7444", "7555", "7666"];

type HookBody = { kind: string; title: string; text: string; event: Record<string, unknown> };
const hookBodies = (http: HttpReceiver) => http.requests.filter((r) => r.path === HOOK_PATH).map((r) => r.body as HookBody);

/** Seed a door as the UI saves it (row + configVersion bump) and wait for the worker to apply it. */
async function seedDoor(d: { name: string; sequence: string[]; action: "open" | "ban"; durationSec: number }): Promise<void> {
  const db = testDb().$client;
  const steps = d.sequence.map((k) => ({ port: Number(k.split(":")[0]), protocol: k.endsWith(":udp") ? "udp" : "tcp" }));
  db.prepare("DELETE FROM doors WHERE name = ?").run(d.name);
  db.prepare("INSERT INTO doors (name, sequence, action, open_ports, duration_sec, seq_timeout_ms) VALUES (?, ?, ?, ?, ?, 10000)").run(
    d.name,
    JSON.stringify(steps),
    d.action,
    d.action === "open" ? JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }]) : null,
    d.durationSec,
  );
  db.prepare("INSERT INTO settings (key, value) VALUES ('configVersion', '1') ON CONFLICT (key) DO UPDATE SET value = json(CAST(value AS INTEGER) + 1)").run();
  const want = Number((db.prepare("SELECT value FROM settings WHERE key = 'configVersion'").get() as { value: string }).value);
  await expect.poll(() => (db.prepare("SELECT applied_config_version AS v FROM worker_status WHERE id = 1").get() as { v: number }).v, { timeout: 10_000 }).toBeGreaterThanOrEqual(want);
}

async function card(page: Page, name: string) {
  await page.goto("/settings/notifications");
  return page.getByTestId(`channel-${name}`);
}

test.describe.serial("notifications", () => {
  let lab: Lab;
  let http: HttpReceiver;
  let smtp: SmtpReceiver;

  test.beforeAll(async () => {
    http = await startHttpReceiver();
    smtp = await startSmtpReceiver({
      auth: { user: SMTP_USER, pass: SMTP_PASS },
      // The run's certificate, which the web server trusts (NODE_EXTRA_CA_CERTS): STARTTLS is verified, not waved through.
      tls: { key: readFileSync(process.env.SESAME_E2E_TLS_KEY!), cert: readFileSync(process.env.SESAME_E2E_TLS_CERT!) },
    });
    lab = await startLab({ tag: "e2en", extraClientIps: 12 });
    await seedDoor({ name: door, sequence: knocks, action: "open", durationSec: 120 });
    await seedDoor({ name: decoy, sequence: decoyKnocks, action: "ban", durationSec: 60 });
  });
  test.afterAll(async () => {
    // Leave no channel behind pointing at receivers that are gone.
    testDb().$client.prepare("DELETE FROM notify_channels WHERE name IN ('e2e-hook', 'e2e-mail')").run();
    testDb().$client.prepare("DELETE FROM doors WHERE name IN (?, ?)").run(door, decoy);
    await lab?.stop();
    await http?.stop();
    await smtp?.stop();
  });
  test.afterEach(async ({ page: _page }, info) => {
    if (info.status !== info.expectedStatus) {
      await info.attach("worker.log", { body: lab?.output() ?? "", contentType: "text/plain" });
      await info.attach("webhook requests", { body: JSON.stringify(http?.requests ?? [], null, 2), contentType: "application/json" });
    }
  });

  test("configure a webhook and an e-mail channel in the UI; Send test reaches both; secrets are never shown again", async ({ page }) => {
    await logIn(page);
    // Reached from Settings (the main menu stays as it was).
    await page.goto("/settings");
    await page.getByRole("link", { name: "Manage channels" }).click();
    await expect(page).toHaveURL(/\/settings\/notifications$/);
    const form = page.locator("form", { has: page.getByRole("button", { name: "Add channel" }) });

    // A webhook: Sesame's JSON body with a bearer token; OPEN SESAME, bans and admin actions; 2 messages per 10 s.
    await form.getByLabel("Name", { exact: true }).fill("e2e-hook");
    await form.getByLabel("Body", { exact: true }).selectOption("json");
    await form.getByLabel("URL", { exact: true }).fill(`${http.url}${HOOK_PATH}`);
    await form.getByLabel("Bearer token (optional)").fill(TOKEN);
    await form.getByLabel("Unban or revoke by an admin").check();
    await form.getByLabel("Worker down, back or failing").uncheck();
    await form.getByLabel("At most (messages)").fill("2");
    await form.getByLabel("Per (seconds)").fill("10");
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(page).toHaveURL(/\/settings\/notifications\?saved=e2e-hook/);

    // Refused input names the field and saves nothing.
    await form.getByLabel("Type", { exact: true }).selectOption("email");
    await form.getByLabel("Name", { exact: true }).fill("e2e-mail");
    await form.getByLabel("SMTP server").fill(smtp.host);
    await form.getByLabel("Port", { exact: true }).fill(String(smtp.port));
    await form.getByLabel("User name (optional)").fill(SMTP_USER);
    await form.getByLabel("Password", { exact: true }).fill(SMTP_PASS);
    await form.getByLabel("From", { exact: true }).fill("sesame@appliance.test");
    await form.getByLabel("To", { exact: true }).fill("ops@example.test, not-an-address");
    await form.getByLabel("Bans (a decoy was knocked)").uncheck();
    await form.getByLabel("Worker down, back or failing").uncheck();
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByText("Each recipient must be an e-mail address.")).toBeVisible();
    expect(testDb().$client.prepare("SELECT count(*) AS n FROM notify_channels WHERE name = 'e2e-mail'").get()).toEqual({ n: 0 });
    // The password is not sent back with the refused form: it must be typed again.
    await expect(form.getByLabel("Password", { exact: true })).toHaveValue("");
    await form.getByLabel("Password", { exact: true }).fill(SMTP_PASS);
    await form.getByLabel("To", { exact: true }).fill("ops@example.test");
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(page).toHaveURL(/\/settings\/notifications\?saved=e2e-mail/);

    const hook = page.getByTestId("channel-e2e-hook");
    const mail = page.getByTestId("channel-e2e-mail");
    await expect(hook).toContainText(`JSON → ${http.url}/…`);
    await expect(hook).toContainText("2 per 10 s, then a digest");
    await expect(mail).toContainText(`127.0.0.1:${smtp.port} (STARTTLS) → ops@example.test`);
    await expect(mail).toContainText("opens");

    // Send test: delivered, and the receivers saw it (bearer token; STARTTLS and AUTH).
    await hook.getByRole("button", { name: "Send a test to e2e-hook" }).click();
    await expect(hook.getByTestId("test-result")).toContainText("Test delivered to e2e-hook");
    const test1 = await http.waitFor((r) => r.path === HOOK_PATH && (r.body as HookBody).kind === "test");
    expect(test1.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await mail.getByRole("button", { name: "Send a test to e2e-mail" }).click();
    await expect(mail.getByTestId("test-result")).toContainText("Test delivered to e2e-mail");
    const m = await smtp.waitFor((x) => (mailHeader(x.raw, "Subject") ?? "").includes("test"));
    expect(m).toMatchObject({ secure: true, user: SMTP_USER, from: "sesame@appliance.test", to: ["ops@example.test"] });
    await page.reload();
    await expect(page.getByTestId("channel-e2e-hook").getByTestId("last-success")).not.toContainText("never");

    // Never shown again: not in the page, not in the edit form, not in the audit log.
    const html = await page.content();
    for (const secret of [TOKEN, SMTP_PASS, HOOK_PATH]) expect(html).not.toContain(secret);
    await page.getByRole("link", { name: "Edit e2e-mail" }).click();
    await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
    await expect(page.getByText("A password is set. Leave empty to keep it.")).toBeVisible();
    expect(await page.content()).not.toContain(SMTP_PASS);
    const audit = (testDb().$client.prepare("SELECT coalesce(before, '') || coalesce(after, '') AS t FROM audit WHERE entity = 'notification-channel'").all() as { t: string }[]).map((r) => r.t).join("\n");
    expect(audit).toContain('"token":"set"');
    for (const secret of [TOKEN, SMTP_PASS, HOOK_PATH]) expect(audit).not.toContain(secret);
    // Saving the edit without typing the password keeps it (the next test mail still authenticates).
    await page.getByLabel("Name", { exact: true }).fill("e2e-mail");
    await page.getByRole("button", { name: "Save channel" }).click();
    await expect(page).toHaveURL(/\/settings\/notifications\?saved=e2e-mail/);
  });

  test("a burst of bans from 12 addresses: at most the rate limit one by one, the rest as one digest", async () => {
    const from = lab.net.clientExtraIps.slice(0, 12);
    const before = hookBodies(http).length;
    await lab.knockFrom(decoyKnocks, from);
    await expect.poll(() => testDb().$client.prepare("SELECT count(*) AS n FROM bans WHERE door_name = ? AND lifted_at IS NULL").get(decoy), { timeout: 10_000 }).toEqual({ n: 12 });
    // The digest comes when the 10 s window ends.
    await expect.poll(() => hookBodies(http).slice(before).filter((b) => b.kind === "digest").length, { timeout: 15_000 }).toBe(1);
    const got = hookBodies(http).slice(before);
    const bans = got.filter((b) => b.kind === "ban");
    const digest = got.find((b) => b.kind === "digest")!;
    const held = Number(/^(\d+) more bans in the last 10 s/.exec(digest.text)?.[1]);
    // A fresh window (test sends do not count against it): exactly 2 one by one, 10 in the digest.
    expect(bans.length).toBe(2);
    expect(held).toBe(10);
    for (const b of bans) expect(from).toContain(b.event.ip);
    // The e-mail channel did not ask for bans.
    expect(smtp.mails.filter((x) => (mailHeader(x.raw, "Subject") ?? "").includes("Banned"))).toEqual([]);
  });

  test("a real knock's OPEN SESAME reaches both receivers with door, address, ports and duration", async () => {
    const ip = lab.net.clientIp;
    await lab.knock(knocks);
    const hookReq = await http.waitFor((r) => r.path === HOOK_PATH && (r.body as HookBody).kind === "open");
    const mailed = await smtp.waitFor((x) => (mailHeader(x.raw, "Subject") ?? "").includes("OPEN SESAME"));
    const body = hookReq.body as HookBody;
    expect(body.event).toMatchObject({ door, ip, ports: `${PROTECTED_PORT}/tcp`, durationSec: 120 });
    expect(body.text).toBe(`${ip}: ${door}: OPEN SESAME: ${PROTECTED_PORT}/tcp open for 2 min`);
    expect(mailHeader(mailed.raw, "Subject")).toBe(`[Sesame] OPEN SESAME: ${ip} → ${door}`);
    expect(mailText(mailed.raw)).toContain(`door: ${door}\nip: ${ip}\nports: ${PROTECTED_PORT}/tcp\ndurationSec: 120\n`);
    expect(await lab.connects()).toBe(true);

    // Latency: the worker's OPEN SESAME log line (as it reached us) → each receiver.
    const line = lab.lines.find((l) => l.text.includes(`${ip}: ${door}: OPEN SESAME`));
    expect(line, lab.output()).toBeDefined();
    const toHook = hookReq.at - line!.at;
    const toMail = mailed.at - line!.at;
    const figures = `webhook ${toHook} ms, e-mail (STARTTLS + AUTH) ${toMail} ms after the OPEN SESAME log line`;
    test.info().annotations.push({ type: "notification-latency", description: figures });
    console.log(`notification latency: ${figures}`);
    expect(toHook).toBeLessThan(1500);
    expect(toMail).toBeLessThan(3000);
  });

  test("a failing receiver: the channel shows the error, and the retry delivers once it recovers", async ({ page }) => {
    await logIn(page);
    const ip = lab.net.clientIp;
    http.failNext(1000, 503);
    const before = http.requests.length;
    await lab.knock(knocks); // opens again (a refresh): one more OPEN SESAME
    await http.waitFor((r) => http.requests.indexOf(r) >= before && (r.body as HookBody).kind === "open");
    await expect(async () => {
      const c = await card(page, "e2e-hook");
      await expect(c).toContainText("failing", { timeout: 500 });
      await expect(c.getByTestId("last-error")).toContainText("HTTP 503 Service Unavailable: receiver told to fail", { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    const failedAt = Date.now();
    http.failNext(0);
    const ok = await http.waitFor((r) => r.at > failedAt && (r.body as HookBody).kind === "open", 20_000);
    expect((ok.body as HookBody).event).toMatchObject({ door, ip, refreshed: true });
    await expect(async () => {
      const c = await card(page, "e2e-hook");
      await expect(c).toContainText("delivering", { timeout: 500 });
      await expect(c.getByTestId("counts")).toContainText("0 waiting", { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    const counts = await page.getByTestId("channel-e2e-hook").getByTestId("counts").textContent();
    expect(Number(/(\d+) failed attempts/.exec(counts ?? "")?.[1])).toBeGreaterThanOrEqual(1);
    // The channel page lists the delivery with its attempts.
    await page.getByRole("link", { name: "Edit e2e-hook" }).click();
    await expect(page.getByRole("table")).toContainText("sent");
    await page.screenshot({ path: join(REPO_ROOT, "docs/screenshots/notifications-edit.png"), fullPage: true, animations: "disabled" });
    await page.goto("/settings/notifications");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(REPO_ROOT, "docs/screenshots/notifications.png"), fullPage: true, animations: "disabled" });
  });
});
