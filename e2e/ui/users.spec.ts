import { expect, test } from "@playwright/test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@sesame/testkit";
import { testDb } from "../helpers/db";
import { expectConfigApplied } from "../helpers/editor";
import { REPO_ROOT } from "../helpers/env";
import { shoot } from "../helpers/screenshot";
import { PROTECTED_PORT, startLab, type Lab } from "../helpers/net";
import { logIn } from "../helpers/session";
import { setAsideTrusted } from "../helpers/trusted";

/**
 * The Users page against the real worker: create a user, generate a TOTP
 * secret (shown once, with its QR code and the sesame knock command), knock
 * the rotating sequence with `sesame knock --secret-file` from a client
 * namespace, see OPEN SESAME with the user live and the grant naming them,
 * the replay refused; SPA keys as fwknop --key-gen makes them; rotate,
 * revoke, expire, delete; nothing secret on a later page view or in the audit.
 * A user's ports are protected ports: saving one that the admin's own
 * connection uses asks the lock-out check first.
 */
const NAME = "e2e-alice";


const userRow = () =>
  testDb().$client.prepare("SELECT * FROM users WHERE name = ?").get(NAME) as { id: number; enabled: number; expires_at: number | null; ports: string; require_source_address: number } | undefined;
const creds = (userId: number) =>
  testDb().$client.prepare("SELECT id, kind, totp_secret AS secret, spa_key AS key, spa_hmac_key AS hmacKey, expires_at AS expiresAt, revoked_at AS revokedAt FROM user_credentials WHERE user_id = ? ORDER BY id").all(userId) as {
    id: number; kind: string; secret: string | null; key: string | null; hmacKey: string | null; expiresAt: number | null; revokedAt: number | null;
  }[];

test.describe.serial("users", () => {
  let lab: Lab;
  let secretDir: string;
  let restoreTrusted = () => {};
  test.beforeAll(async () => {
    restoreTrusted = setAsideTrusted();
    secretDir = mkdtempSync(join(tmpdir(), "sesame-e2e-totp-"));
    lab = await startLab();
  });
  test.afterAll(async () => {
    restoreTrusted();
    await lab?.stop();
    rmSync(secretDir, { recursive: true, force: true });
  });

  test("create a user: field errors first, then saved", async ({ page }) => {
    await logIn(page);
    await page.goto("/users");
    await page.getByLabel("Name").fill("bad name");
    await page.getByLabel("Ports the user may open").fill("22, 22");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByText("Name may only contain letters, digits, '.', '-' and '_' (1 to 64 characters).")).toBeVisible();
    await expect(page.getByText("Port tcp/22 is listed twice.")).toBeVisible();
    await page.getByLabel("Name").fill(NAME);
    await page.getByLabel("Ports the user may open").fill(String(PROTECTED_PORT));
    await page.getByLabel("Grant length (s)").fill("20");
    await page.getByLabel("Comment").fill("laptop");
    await page.getByRole("button", { name: "Create user" }).click();
    // The port may already be protected (a door of an earlier spec); if not, the lock-out check asks first.
    const confirm = page.getByLabel("I understand; protect these ports anyway.");
    await expect(confirm.or(page.getByRole("heading", { name: NAME }))).toBeVisible();
    if (await confirm.count()) {
      expect(userRow()).toBeUndefined();
      await confirm.check();
      await page.getByRole("button", { name: "Create user" }).click();
    }
    await expect(page).toHaveURL(/\/users\/\d+\?saved=/);
    await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
    expect(userRow()).toMatchObject({ enabled: 1, expires_at: null });
    await page.goto("/users");
    await expect(page.getByTestId(`user-${NAME}`)).toContainText(`${PROTECTED_PORT}/tcp`);
    await shoot(page, "users");
  });

  test("edit: a port this page is served on asks the lock-out check first, nothing saved until confirmed; REQUIRE_SOURCE_ADDRESS is saved", async ({ page, baseURL }) => {
    await logIn(page);
    const user = userRow()!;
    const webPort = new URL(baseURL!).port;
    await page.goto(`/users/${user.id}`);
    const edit = page.getByRole("region", { name: "Edit", exact: true });
    await edit.getByLabel("Ports the user may open").fill(`${PROTECTED_PORT}, ${webPort}`);
    const require = edit.getByLabel("Require the packet's own source address (refuse fwknop -s / 0.0.0.0)");
    await expect(require).not.toBeChecked();
    await require.check();
    await edit.getByRole("button", { name: "Save user" }).click();
    await expect(edit.locator("#e-confirmLockout")).toContainText(`Your address 127.0.0.1 is not in any trusted network. This change protects ${webPort}/tcp`);
    expect(userRow()).toMatchObject({ ports: JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }]), require_source_address: 0 });
    // The form keeps what was typed.
    await expect(edit.getByLabel("Ports the user may open")).toHaveValue(`${PROTECTED_PORT}, ${webPort}`);
    await expect(require).toBeChecked();
    await edit.getByLabel("I understand; protect these ports anyway.").check();
    await edit.getByRole("button", { name: "Save user" }).click();
    await expect(edit.getByText(`Saved ${NAME}.`)).toBeVisible();
    expect(JSON.parse(userRow()!.ports)).toEqual([{ port: PROTECTED_PORT, protocol: "tcp" }, { port: Number(webPort), protocol: "tcp" }]);
    expect(userRow()!.require_source_address).toBe(1);
    await page.reload();
    await expect(require).toBeChecked();

    // Back to the one port: protects nothing new, so no question; the setting can be cleared again.
    await edit.getByLabel("Ports the user may open").fill(String(PROTECTED_PORT));
    await require.uncheck();
    await edit.getByRole("button", { name: "Save user" }).click();
    await expect(edit.getByText(`Saved ${NAME}.`)).toBeVisible();
    expect(userRow()).toMatchObject({ ports: JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }]), require_source_address: 0 });
  });

  test("a TOTP secret is shown once (QR, secret, sesame knock command); the sequence it gives opens, once, with the user on screen", async ({ page }) => {
    await logIn(page);
    const user = userRow()!;
    await page.goto(`/users/${user.id}`);
    await page.getByLabel("Credential", { exact: true }).selectOption("totp");
    await page.getByRole("button", { name: "Generate" }).click();
    const once = page.getByTestId("credential-once");
    await expect(once).toContainText("shown this once");
    await expect(page.getByTestId("totp-qr").locator("svg")).toBeVisible();
    const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(creds(user.id).filter((c) => c.kind === "totp").map((c) => c.secret)).toEqual([secret]);
    await expect(once).toContainText(`otpauth://totp/Sesame:${NAME}?secret=${secret}&issuer=Sesame`);
    await expect(page.getByTestId("totp-command")).toHaveText("sesame knock 127.0.0.1 --totp CODE");
    await shoot(page, "user-credential");

    // A later view of the page shows no key material.
    await page.reload();
    await expect(page.getByTestId("credential-once")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);
    await expectConfigApplied(page);

    // The user's phone: the secret in a file only they can read; the Sesame client derives this window's knock.
    const file = join(secretDir, "secret");
    writeFileSync(file, `${secret}\n`);
    chmodSync(file, 0o600);
    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    const ip = lab.net.clientIp;
    const knock = () => run([process.execPath, join(REPO_ROOT, "packages/knock/bin/sesame.js"), "knock", lab.net.serverIp, "--secret-file", file], { ns: lab.net.client });
    const first = await knock();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^knock ${lab.net.serverIp.replace(/\./g, "\\.")}( \\d+(:udp)?){4}\\n$`));
    const log = page.getByTestId("live-log");
    await expect(log).toContainText(`${ip}: totp:${NAME}: OPEN SESAME`, { timeout: 5000 });
    await expect(page.getByTestId(`grant-${ip}`)).toContainText(NAME);
    await expect.poll(() => lab.connects(), { timeout: 3000 }).toBe(true);

    // The same window's sequence again: refused, and said so.
    const again = await knock();
    expect(again.stdout).toBe(first.stdout);
    await expect(log).toContainText(`${ip}: totp:${NAME}: REPLAYED: refused`, { timeout: 5000 });
    await shoot(page, "dashboard-user");
    // The user's page lists both in its Recent activity.
    await page.goto(`/users/${user.id}`);
    await expect(page.getByTestId("user-activity")).toContainText(`${ip}: totp:${NAME}: OPEN SESAME`);
    await expect(page.getByTestId("user-activity")).toContainText(`${ip}: totp:${NAME}: REPLAYED: refused`);
    await page.goto(`/history?kind=replayed`);
    await expect(page.getByTestId("history-table").locator("tbody tr").first()).toContainText(NAME);
    await page.goto("/history?view=opens");
    await expect(page.getByTestId("history-table").locator("tbody tr").first()).toContainText(NAME);
  });

  test("SPA keys as fwknop --key-gen makes them, with the ~/.fwknoprc stanza and the fwknop command", async ({ page }) => {
    await logIn(page);
    const user = userRow()!;
    await page.goto(`/users/${user.id}`);
    await page.getByLabel("Credential", { exact: true }).selectOption("spa");
    await page.getByRole("button", { name: "Generate" }).click();
    const stanza = (await page.getByTestId("spa-fwknoprc").textContent())!;
    const key = /KEY_BASE64\s+(\S+)/.exec(stanza)![1]!;
    const hmacKey = /HMAC_KEY_BASE64\s+(\S+)/.exec(stanza)![1]!;
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    expect(Buffer.from(hmacKey, "base64")).toHaveLength(64);
    expect(stanza).toContain(`[${NAME}]`);
    expect(stanza).toMatch(/HMAC_DIGEST_TYPE\s+sha256/);
    expect(stanza).toMatch(new RegExp(`ACCESS\\s+tcp/${PROTECTED_PORT}`));
    await expect(page.getByTestId("spa-command")).toHaveText(`fwknop -n ${NAME}`);
    expect(creds(user.id).filter((c) => c.kind === "spa").map((c) => [c.key, c.hmacKey])).toEqual([[key, hmacKey]]);
    await page.reload();
    expect(await page.content()).not.toContain(key);

    // Every key operation is in the audit; no key is.
    const audit = testDb().$client.prepare("SELECT action, entity, after FROM audit WHERE entity = 'user-credential' AND json_extract(after, '$.user') = ? ORDER BY id").all(NAME) as { action: string; after: string }[];
    expect(audit.map((a) => a.action)).toEqual(["generate-key", "generate-key"]);
    const all = JSON.stringify(testDb().$client.prepare("SELECT * FROM audit").all());
    for (const c of creds(user.id)) for (const v of [c.secret, c.key, c.hmacKey]) if (v) expect(all).not.toContain(v);
  });

  test("rotate with a grace period, rotate at once, revoke a key", async ({ page }) => {
    await logIn(page);
    const user = userRow()!;
    await page.goto(`/users/${user.id}`);
    await page.getByLabel("Credential", { exact: true }).selectOption("totp");
    await page.getByLabel("Old one keeps working for (minutes)").fill("30");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(page.getByTestId("credential-once")).toContainText("The previous secret keeps working for 30 minutes.");
    let totp = creds(user.id).filter((c) => c.kind === "totp");
    expect(totp).toHaveLength(2);
    expect(totp[0]!.expiresAt! - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(totp[1]).toMatchObject({ expiresAt: null, revokedAt: null });
    await page.reload();
    await expect(page.getByTestId(`credential-${totp[0]!.id}`)).toContainText("rotating out");

    await page.getByLabel("Old one keeps working for (minutes)").fill("0");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(page.getByTestId("credential-once")).toContainText("The previous secret stopped working.");
    totp = creds(user.id).filter((c) => c.kind === "totp");
    expect(totp.map((c) => c.revokedAt !== null)).toEqual([true, true, false]);

    await page.reload();
    const spa = creds(user.id).find((c) => c.kind === "spa")!;
    await page.getByRole("button", { name: "Revoke this SPA key" }).click();
    await page.getByTestId(`credential-${spa.id}`).getByRole("button", { name: "Yes" }).click();
    await expect(page.getByTestId(`credential-${spa.id}`)).toContainText("revoked");
    await shoot(page, "user-credentials");
  });

  test("rotating-sequence settings: a range too small is refused; a saved one is what the next secret's command says", async ({ page }) => {
    await logIn(page);
    await page.goto("/settings");
    await page.getByLabel("Lowest port").fill("30000");
    await page.getByLabel("Highest port").fill("30100");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("The port range must hold at least 100 ports per knock (400 for 4 knocks).")).toBeVisible();
    expect(testDb().$client.prepare("SELECT count(*) AS n FROM settings WHERE key = 'totp'").get()).toEqual({ n: 0 });
    await page.getByLabel("Highest port").fill("31999");
    await page.getByLabel("Knocks per sequence").fill("5");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
    const user = userRow()!;
    await page.goto(`/users/${user.id}`);
    await page.getByLabel("Credential", { exact: true }).selectOption("totp");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(page.getByTestId("totp-command")).toHaveText("sesame knock 127.0.0.1 --range 30000-31999 --length 5 --totp CODE");
    // Back to the defaults for the specs after this one.
    await page.goto("/settings");
    await page.getByLabel("Lowest port").fill("40000");
    await page.getByLabel("Highest port").fill("49999");
    await page.getByLabel("Knocks per sequence").fill("4");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
  });

  test("expire, revoke (closing the open grants) and delete", async ({ page }) => {
    await logIn(page);
    const user = userRow()!;
    await page.goto(`/users/${user.id}`);
    await page.getByRole("button", { name: "Expire now" }).click();
    await expect(page.getByText("expired").first()).toBeVisible();
    expect(userRow()!.expires_at).not.toBeNull();

    // An open grant of the user (as the worker writes it) is closed by revoking the user.
    const now = Date.now();
    testDb().$client.prepare("INSERT INTO grants (ip, family, ports, door_name, user_id, user_name, opened_at, expires_at) VALUES ('198.51.100.77', 4, ?, ?, ?, ?, ?, ?)").run(JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }]), `totp:${NAME}`, user.id, NAME, now, now + 600_000);
    await page.getByRole("button", { name: "Revoke user" }).click();
    await page.getByRole("button", { name: `Revoke ${NAME}` }).click();
    await expect(page.getByText("disabled").first()).toBeVisible();
    expect(testDb().$client.prepare("SELECT closed_reason AS r FROM grants WHERE ip = '198.51.100.77'").get()).toEqual({ r: "revoked" });
    expect(creds(user.id).every((c) => c.revokedAt !== null)).toBe(true);

    await page.getByRole("button", { name: `Delete ${NAME}` }).click();
    await page.getByRole("button", { name: "Yes" }).click();
    await expect(page).toHaveURL(/\/users\?saved=/);
    expect(userRow()).toBeUndefined();
    const actions = testDb().$client.prepare("SELECT action FROM audit WHERE entity = 'user' AND entity_id = ? ORDER BY id").all(String(user.id)).map((r) => (r as { action: string }).action);
    // The refused save (lock-out check) left no trace; the two confirmed edits did.
    expect(actions).toEqual(["create", "update", "update", "expire", "revoke", "delete"]);
  });
});
