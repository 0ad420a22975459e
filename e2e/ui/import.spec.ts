import { expect, test } from "@playwright/test";
import { count, testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

const CONF = `[options]
    UseSyslog

[openSSH]
    sequence    = 7000,8000,9000
    seq_timeout = 5
    command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
    tcpflags    = syn

[closeSSH]
    sequence    = 9000,8000,7000
    seq_timeout = 5
    command     = /sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
    tcpflags    = syn
`;

test("import a knockd.conf: upload, preview, apply; the doors are command doors with display-only commands", async ({ page }) => {
  await logIn(page);
  await page.goto("/settings");
  await page.getByLabel("knockd.conf file").setInputFiles({ name: "knockd.conf", mimeType: "text/plain", buffer: Buffer.from(CONF) });
  await expect(page.getByLabel("…or paste it")).toHaveValue(CONF);
  await page.getByRole("button", { name: "Preview changes" }).click();
  const preview = page.getByTestId("import-preview");
  await expect(preview).toContainText("added openSSH 7000,8000,9000");
  await expect(preview).toContainText("added closeSSH 9000,8000,7000");
  expect(count("doors", "name IN ('openSSH', 'closeSSH')")).toBe(0);
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page).toHaveURL(/\/sequences\?saved=/);
  await expect(page.getByTestId("door-openSSH")).toContainText("knockd.conf");
  await expect(page.getByTestId("door-openSSH")).toContainText("run knockd.conf commands");
  const row = testDb().$client.prepare("SELECT action, source, command_preview AS preview FROM doors WHERE name = 'openSSH'").get() as {
    action: string;
    source: string;
    preview: string;
  };
  expect(row).toMatchObject({ action: "command", source: "knockd-conf" });
  expect(row.preview).toContain("--dport 22");

  // The door page says the commands only run from the worker's own file.
  await page.getByTestId("door-openSSH").getByRole("link", { name: "View" }).click();
  await expect(page.getByText("shown for reference only")).toBeVisible();
  await expect(page.getByText("-c /etc/knockd.conf")).toBeVisible();

  // Importing the same file again changes nothing.
  await page.goto("/settings");
  await page.getByLabel("…or paste it").fill(CONF);
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(preview).toContainText("unchanged openSSH");
  await expect(page.getByRole("button", { name: "Nothing to import" })).toBeDisabled();

  // Export gives a knockd.conf that contains them.
  const res = await page.request.get("/api/config/knockd.conf");
  expect(res.headers()["content-disposition"]).toContain("knockd.conf");
  const text = await res.text();
  expect(text).toContain("[openSSH]");
  expect(text).toContain("/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT");
});
