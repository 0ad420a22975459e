import { expect, test, type Page } from "@playwright/test";
import { ACCESS_CONF, ACCESS_CONF_BROKEN, ACCESS_CONF_KEYS } from "@sesame/testkit/fixtures";
import { configVersion, count, testDb } from "../helpers/db";
import { shoot } from "../helpers/screenshot";
import { logIn } from "../helpers/session";
import { setAsideTrusted } from "../helpers/trusted";

/**
 * Users → Import access.conf: upload a real fwknopd access.conf, preview the
 * users it creates (computed on the server: no key anywhere in the page),
 * the lock-out check, a name clash and a broken file (nothing imported),
 * then apply: users with SPA credentials holding the file's keys, audited
 * without a key.
 */
const PREFIX = "e2e-acl";
const KEYS = Object.values(ACCESS_CONF_KEYS).flatMap((k) => [k.keyBase64, k.hmacKeyBase64]);
const db = () => testDb().$client;
const imported = () => db().prepare("SELECT * FROM users WHERE name LIKE ? ORDER BY name").all(`${PREFIX}-%`) as { id: number; name: string; ports: string; sources: string; grant_sec: number; max_grant_sec: number; require_source_address: number; expires_at: number | null }[];

async function expectNoKeys(page: Page): Promise<void> {
  const html = await page.content();
  for (const k of KEYS) expect(html).not.toContain(k);
}

async function choose(page: Page, text: string): Promise<void> {
  await page.getByLabel("access.conf file").setInputFiles({ name: "access.conf", mimeType: "text/plain", buffer: Buffer.from(text) });
  await page.getByLabel("Name prefix").fill(PREFIX);
  await page.getByRole("button", { name: "Preview import" }).click();
}

test.describe.serial("access.conf import", () => {
  let restoreTrusted = () => {};
  test.beforeAll(() => {
    restoreTrusted = setAsideTrusted();
    db().prepare("DELETE FROM users WHERE name LIKE ?").run(`${PREFIX}-%`);
  });
  test.afterAll(() => {
    db().prepare("DELETE FROM users WHERE name LIKE ?").run(`${PREFIX}-%`);
    restoreTrusted();
  });

  test("a broken file: every error with its line, nothing previewed as importable, nothing saved", async ({ page }) => {
    await logIn(page);
    await page.goto("/users");
    await page.getByRole("link", { name: "Import access.conf" }).click();
    await expect(page).toHaveURL(/\/users\/import$/);
    const before = { users: count("users"), creds: count("user_credentials"), audit: count("audit"), version: configVersion() };
    await choose(page, ACCESS_CONF_BROKEN);
    const errors = page.getByTestId("access-import-errors");
    await expect(errors).toContainText("nothing is imported until they are fixed");
    await expect(errors).toContainText("line 3: HMAC_DIGEST_TYPE argument 'sha999' must be one of");
    await expect(errors).toContainText("line 4: KEY_BASE64 argument doesn't look like base64-encoded data (the value is not shown).");
    await expect(errors).toContainText("line 7: No keys found for access stanza source: '10.0.0.0/8'");
    await expect(errors).toContainText("line 8: OPEN_PORTS: 'ssh' is not a list of tcp/PORT or udp/PORT");
    await expect(page.getByRole("button", { name: /^Import \d+ user/ })).toHaveCount(0);
    await expectNoKeys(page);
    expect({ users: count("users"), creds: count("user_credentials"), audit: count("audit"), version: configVersion() }).toEqual(before);
  });

  test("upload, preview without key material, name clash, lock-out check, apply: users with SPA keys, audited without keys", async ({ page }) => {
    await logIn(page);
    await page.goto("/users/import");
    // A user already named like stanza 2 would become: an error in the preview, nothing importable.
    db().prepare("INSERT INTO users (name, ports) VALUES (?, ?)").run(`${PREFIX}-2`, JSON.stringify([{ port: 2222, protocol: "tcp" }]));
    await choose(page, ACCESS_CONF);
    await expect(page.getByTestId("access-import-errors")).toContainText(`line 14: stanza #2: a user named ${PREFIX}-2 already exists. Choose another name prefix`);
    await expect(page.getByRole("button", { name: /^Import \d+ user/ })).toHaveCount(0);
    db().prepare("DELETE FROM users WHERE name = ?").run(`${PREFIX}-2`);

    await page.getByRole("button", { name: "Preview import" }).click();
    const preview = page.getByTestId("access-import-preview");
    const s1 = preview.getByTestId("access-stanza-1");
    const s2 = preview.getByTestId("access-stanza-2");
    await expect(s1).toContainText(`${PREFIX}-1`);
    await expect(s1).toContainText("line 4");
    await expect(s1).toContainText("203.0.113.0/24, 198.51.100.7/32");
    await expect(s1).toContainText("22/tcp, 53/udp");
    await expect(s1).toContainText("60 s / 600 s");
    await expect(s1).toContainText("required");
    await expect(s1).not.toContainText("not required");
    await expect(s1).toContainText("2099");
    await expect(s1).toContainText("sha512");
    await expect(s1).toContainText("imported");
    await expect(s2).toContainText(`${PREFIX}-2`);
    await expect(s2).toContainText("anywhere");
    await expect(s2).toContainText("2222/tcp");
    await expect(s2).toContainText("30 s / 300 s");
    await expect(s2).toContainText("not required");
    await expect(s2).toContainText("sha256");
    await expect(page.getByTestId("access-import-errors")).toHaveCount(0);
    await expectNoKeys(page);

    // 127.0.0.1 is not trusted and udp/53 is protected by nothing yet: asked first.
    await expect(page.locator("#e-confirmLockout")).toContainText("Your address 127.0.0.1 is not in any trusted network. This change protects");
    await expect(page.locator("#e-confirmLockout")).toContainText("53/udp");
    await shoot(page, "users-import");
    const v0 = configVersion();
    const audit0 = count("audit");
    await page.getByRole("button", { name: "Import 2 users" }).click();
    await expect(page.getByText("Nothing was imported: tick the lock-out box first.")).toBeVisible();
    expect(imported()).toEqual([]);
    expect({ version: configVersion(), audit: count("audit") }).toEqual({ version: v0, audit: audit0 });

    await page.getByLabel("I understand; protect these ports anyway.").check();
    await page.getByRole("button", { name: "Import 2 users" }).click();
    await expect(page).toHaveURL(/\/users\?saved=/);
    await expect(page.getByText(`access.conf import: 2 users with SPA keys (${PREFIX}-1, ${PREFIX}-2)`)).toBeVisible();
    await expect(page.getByTestId(`user-${PREFIX}-1`)).toContainText("SPA");
    await expect(page.getByTestId(`user-${PREFIX}-2`)).toContainText("2222/tcp");
    await expectNoKeys(page);
    expect(configVersion()).toBe(v0 + 1);

    const users = imported();
    expect(users.map((u) => [u.name, JSON.parse(u.ports), JSON.parse(u.sources), u.grant_sec, u.max_grant_sec, u.require_source_address, u.expires_at !== null])).toEqual([
      [`${PREFIX}-1`, [{ protocol: "tcp", port: 22 }, { protocol: "udp", port: 53 }], ["203.0.113.0/24", "198.51.100.7/32"], 60, 600, 1, true],
      [`${PREFIX}-2`, [{ protocol: "tcp", port: 2222 }], [], 30, 300, 0, false],
    ]);
    const creds = users.map((u) => db().prepare("SELECT kind, spa_key AS key, spa_hmac_key AS hmacKey, spa_hmac_digest AS digest, revoked_at AS revokedAt FROM user_credentials WHERE user_id = ?").all(u.id));
    expect(creds).toEqual([
      [{ kind: "spa", key: ACCESS_CONF_KEYS.office.keyBase64, hmacKey: ACCESS_CONF_KEYS.office.hmacKeyBase64, digest: "sha512", revokedAt: null }],
      [{ kind: "spa", key: ACCESS_CONF_KEYS.anywhere.keyBase64, hmacKey: ACCESS_CONF_KEYS.anywhere.hmacKeyBase64, digest: "sha256", revokedAt: null }],
    ]);

    // One audited change: each user, that its keys were imported, the file; never a key.
    const trail = db().prepare("SELECT action, entity, after FROM audit WHERE id > (SELECT max(id) FROM audit) - 5 ORDER BY id").all() as { action: string; entity: string; after: string }[];
    expect(trail.map((a) => `${a.action} ${a.entity}`)).toEqual(["import user", "import-key user-credential", "import user", "import-key user-credential", "import access.conf"]);
    expect(JSON.parse(trail[1]!.after)).toMatchObject({ user: `${PREFIX}-1`, kind: "spa", keys: "imported from access.conf", hmacDigest: "sha512" });
    const all = JSON.stringify(db().prepare("SELECT * FROM audit").all());
    for (const k of KEYS) expect(all).not.toContain(k);

    // The user's page shows the credential, not its keys.
    await page.getByRole("link", { name: `${PREFIX}-1` }).click();
    await expect(page.getByTestId("credentials")).toContainText("SPA (HMAC sha512)");
    await expectNoKeys(page);

    // The same text pasted again: both names are taken now, nothing more is imported.
    await page.goto("/users/import");
    await page.getByLabel("…or paste it").fill(ACCESS_CONF);
    await page.getByLabel("Name prefix").fill(PREFIX);
    await page.getByRole("button", { name: "Preview import" }).click();
    await expect(page.getByTestId("access-import-errors")).toContainText(`a user named ${PREFIX}-1 already exists`);
    await expect(page.getByTestId("access-import-errors")).toContainText(`a user named ${PREFIX}-2 already exists`);
    expect(count("user_credentials", `user_id IN (${users.map((u) => u.id).join(",")})`)).toBe(2);
  });
});
