import { expect, test, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { must } from "@sesame/testkit";
import { testDb } from "../helpers/db";
import { expectConfigApplied } from "../helpers/editor";
import { expectConnect, PROTECTED_PORT, startLab, type Lab } from "../helpers/net";
import { shoot } from "../helpers/screenshot";
import { logIn } from "../helpers/session";

/**
 * Every SPA outcome on screen, from real packets: a user made in the UI,
 * the ~/.fwknoprc stanza the UI shows written to a home directory, Debian's
 * `fwknop` client in a client namespace, the real worker in a server
 * namespace. Each outcome must read as words in the live log, in the
 * user's Recent activity and in History (filtered by the user, or the SPA
 * door for packets nobody authenticated).
 */
const NAME = "e2e-spa-bob";
const OTHER_PORT = PROTECTED_PORT + 1;

const userRow = () => testDb().$client.prepare("SELECT id, enabled, expires_at AS expiresAt, sources FROM users WHERE name = ?").get(NAME) as { id: number; enabled: number; expiresAt: number | null; sources: string } | undefined;

test.describe.serial("SPA outcomes, live", () => {
  let lab: Lab;
  let home: string;
  let ip: string;
  /** The datagram of the first (opening) packet, for the replay. */
  let opened = "";
  /** What each outcome reads as, checked again on the user page and in History. */
  const lines: (string | RegExp)[] = [];

  test.beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "sesame-e2e-spa-"));
    lab = await startLab({ tag: "spaout" });
    ip = lab.net.clientIp;
  });
  test.afterAll(async () => {
    await lab?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  test.afterEach(async ({ page: _page }, info) => {
    if (info.status !== info.expectedStatus) await info.attach("worker.log", { body: lab?.output() ?? "", contentType: "text/plain" });
  });

  /** Debian's fwknop with the stanza in $HOME/.fwknoprc (`-n NAME`, the server given with -D); returns the datagram it sent. */
  async function fwknop(args: string[], stanza = NAME): Promise<string> {
    const saved = join(home, `sent-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await must(["env", `HOME=${home}`, "fwknop", "-n", stanza, "--no-save-args", "-D", lab.net.serverIp, "-B", saved, ...args], { ns: lab.net.client, timeoutMs: 20_000 });
    return readFileSync(saved, "utf8").trim();
  }

  /** Sends `payload` `times` times as UDP datagrams from the client namespace (a replay, a flood). */
  async function resend(payload: string, times = 1): Promise<void> {
    const js = `const s=require("node:dgram").createSocket("udp4");let n=Number(process.argv[3]);const go=()=>n--?s.send(process.argv[1],62201,process.argv[2],go):s.close();go();`;
    await must([process.execPath, "-e", js, payload, lab.net.serverIp, String(times)], { ns: lab.net.client });
  }

  /** On the dashboard with the stream live, `send`, then the line must appear in the live log. */
  async function expectLive(page: Page, send: () => Promise<unknown>, line: string | RegExp): Promise<void> {
    await page.goto("/");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    await send();
    await expect(page.getByTestId("live-log")).toContainText(line, { timeout: 10_000 });
    lines.push(line);
  }

  /** Change the user through the edit form and wait for the worker to have it. */
  async function editUser(page: Page, change: (page: Page) => Promise<void>, saved: () => boolean): Promise<void> {
    await page.goto(`/users/${userRow()!.id}`);
    await change(page);
    await page.getByRole("button", { name: "Save user" }).click();
    await expect.poll(saved, { timeout: 10_000 }).toBe(true);
    await expectConfigApplied(page);
  }

  test("a user with SPA keys made in the UI opens with Debian's fwknop: the line names the user, the port opens", async ({ page }) => {
    await logIn(page);
    await page.goto("/users");
    await page.getByLabel("Name").fill(NAME);
    await page.getByLabel("Ports the user may open").fill(String(PROTECTED_PORT));
    await page.getByLabel("Grant length (s)").fill("30");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect(page).toHaveURL(/\/users\/\d+\?saved=/);
    // No activity yet, said so.
    await expect(page.getByRole("region", { name: "Recent activity" })).toContainText("Nothing yet");
    await page.getByLabel("Credential", { exact: true }).selectOption("spa");
    await page.getByRole("button", { name: "Generate" }).click();
    const stanza = (await page.getByTestId("spa-fwknoprc").textContent())!;
    expect(stanza).toContain(`[${NAME}]`);
    // The stanza as shown, plus one with a stranger's HMAC key for the bad-HMAC packet.
    const wrong = stanza.replace(/\[[^\]]+\]/, "[wrong-hmac]").replace(/(HMAC_KEY_BASE64\s+)\S+/, `$1${randomBytes(64).toString("base64")}`);
    writeFileSync(join(home, ".fwknoprc"), `${stanza.trim()}\n\n${wrong.trim()}\n`, { mode: 0o600 });
    await page.reload();
    await expectConfigApplied(page);
    expect(await expectConnect(lab, false)).toBe(true);

    await expectLive(page, async () => (opened = await fwknop([])), `${ip}: SPA: access granted to ${NAME} → ${PROTECTED_PORT}/tcp for 30 s`);
    await expect(page.getByTestId(`grant-${ip}`)).toContainText(NAME);
    expect(await expectConnect(lab, true)).toBe(true);
  });

  test("the captured datagram resent: replayed, with the user", async ({ page }) => {
    await logIn(page);
    await expectLive(page, () => resend(opened), `${ip}: SPA replayed: refused, user ${NAME}`);
  });

  test("a packet 5 minutes old: too old, with the user", async ({ page }) => {
    await logIn(page);
    await expectLive(page, () => fwknop(["--time-offset-minus", "300s"]), new RegExp(`${ip.replace(/\./g, "\\.")}: SPA too old \\(30\\d s\\), user ${NAME}`));
  });

  test("a port the user may not open: port not allowed", async ({ page }) => {
    await logIn(page);
    await expectLive(page, () => fwknop(["-A", `tcp/${OTHER_PORT}`]), `${ip}: SPA port not allowed (${OTHER_PORT}/tcp), user ${NAME}`);
  });

  test("a wrong HMAC key: bad HMAC, and a flood of them is one counted line a second", async ({ page }) => {
    await logIn(page);
    let junk = "";
    await expectLive(page, async () => (junk = await fwknop([], "wrong-hmac")), `${ip}: SPA bad HMAC`);
    const before = (testDb().$client.prepare("SELECT count(*) AS n FROM events WHERE kind = 'spa'").get() as { n: number }).n;
    await expectLive(page, () => resend(junk, 150), new RegExp(`${ip.replace(/\./g, "\\.")}: SPA bad HMAC ×\\d+ in the last second`));
    // 150 packets, far fewer rows: the counted rows stand for the rest.
    const counted = () => {
      const rows = testDb().$client.prepare("SELECT detail FROM events WHERE kind = 'spa' ORDER BY id").all().slice(before) as { detail: string }[];
      return rows.map((r) => JSON.parse(r.detail) as { outcome: string; count?: number }).filter((d) => d.outcome === "bad-hmac");
    };
    // The summary of the last second comes with the next report.
    await expect.poll(() => counted().reduce((n, d) => n + (d.count ?? 1), 0), { timeout: 5000 }).toBe(150);
    expect(counted().length).toBeLessThan(100);
  });

  test("sources that exclude the client: source not allowed", async ({ page }) => {
    await logIn(page);
    await editUser(page, (p) => p.getByLabel("Allowed sources (optional)").fill("192.0.2.0/24"), () => (userRow()?.sources ?? "").includes("192.0.2.0/24"));
    await expectLive(page, () => fwknop([]), `${ip}: SPA source not allowed, user ${NAME}`);
    await editUser(page, (p) => p.getByLabel("Allowed sources (optional)").fill(""), () => !(userRow()?.sources ?? "").includes("192.0.2.0/24"));
  });

  test("the user disabled: user disabled", async ({ page }) => {
    await logIn(page);
    await editUser(page, (p) => p.getByLabel("Enabled", { exact: true }).uncheck(), () => userRow()?.enabled === 0);
    await expectLive(page, () => fwknop([]), `${ip}: SPA user disabled, user ${NAME}`);
    await editUser(page, (p) => p.getByLabel("Enabled", { exact: true }).check(), () => userRow()?.enabled === 1);
  });

  test("the user expired: user expired", async ({ page }) => {
    await logIn(page);
    await page.goto(`/users/${userRow()!.id}`);
    await page.getByRole("button", { name: "Expire now" }).click();
    await expect.poll(() => userRow()?.expiresAt ?? null, { timeout: 10_000 }).not.toBeNull();
    await expectConfigApplied(page);
    await expectLive(page, () => fwknop([]), `${ip}: SPA user expired, user ${NAME}`);
  });

  test("the user's Recent activity and History show each outcome in the same words", async ({ page }) => {
    await logIn(page);
    const userLines = lines.filter((l) => (typeof l === "string" ? l : l.source).includes(NAME));
    expect(userLines).toHaveLength(7);
    await page.goto(`/users/${userRow()!.id}`);
    const activity = page.getByTestId("user-activity");
    for (const l of userLines) await expect(activity).toContainText(l);
    await expect(activity).not.toContainText("bad HMAC");
    await shoot(page, "user-activity");
    // The card links to History filtered for the user: the same lines there.
    await page.getByRole("link", { name: `All of ${NAME}'s events in History` }).click();
    await expect(page).toHaveURL(new RegExp(`/history\\?user=${NAME}$`));
    await expect(page.getByLabel("User", { exact: true })).toHaveValue(NAME);
    const table = page.getByTestId("history-table");
    for (const l of userLines) await expect(table).toContainText(l);
    await expect(table.locator("tbody tr").filter({ hasNotText: NAME })).toHaveCount(0);
    // Packets nobody authenticated are under the SPA door, counted.
    await page.goto("/history?door=SPA&kind=spa&pageSize=500");
    await expect(page.getByLabel("Door", { exact: true })).toHaveValue("SPA");
    await expect(page.getByTestId("history-table")).toContainText(new RegExp(`SPA bad HMAC ×\\d+ in the last second`));
    // The live log's SPA group holds the opens and the refusals, not the rest.
    await page.goto("/");
    await page.getByLabel("Show", { exact: true }).selectOption({ label: "SPA" });
    const log = page.getByTestId("live-log");
    await expect(log).toContainText(`SPA: access granted to ${NAME}`);
    await expect(log).toContainText("SPA bad HMAC");
    await expect(log.locator("li").filter({ hasNotText: "SPA" })).toHaveCount(0);
    await shoot(page, "dashboard-spa");
    // Gone again for the specs after this one (its events stay).
    await page.goto(`/users/${userRow()!.id}`);
    await page.getByRole("button", { name: `Delete ${NAME}` }).click();
    await page.getByRole("button", { name: "Yes" }).click();
    await expect(page).toHaveURL(/\/users\?saved=/);
    expect(userRow()).toBeUndefined();
  });
});
