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

  // A section named like a command door cannot re-key it: skipped, with the reason.
  await page.getByLabel("…or paste it").fill(CONF.replace("7000,8000,9000", "1111,2222,3333"));
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(preview).toContainText("skipped openSSH");
  await expect(preview).toContainText("an import cannot change it");
  await expect(page.getByRole("button", { name: "Nothing to import" })).toBeDisabled();
  expect((testDb().$client.prepare("SELECT sequence FROM doors WHERE name = 'openSSH'").get() as { sequence: string }).sequence).toContain("7000");

  // Export gives a knockd.conf that contains them.
  const res = await page.request.get("/api/config/knockd.conf");
  expect(res.headers()["content-disposition"]).toContain("knockd.conf");
  const text = await res.text();
  expect(text).toContain("[openSSH]");
  expect(text).toContain("/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT");
});

const OTP_CONF = `[options]
    UseSyslog

[otpSSH]
    One_Time_Sequences = /etc/knockd/otp.txt
    seq_timeout = 5
    command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT
    tcpflags    = syn
`;
// knockd comments out used lines; a line that is not a sequence is reported and skipped.
const OTP = "#1001,1002,1003\n2001,2002,2003\nnot a sequence\n3001:udp,3002,3003\n";

test("import a knockd.conf with its One_Time_Sequences file: the unused sequences come along", async ({ page }) => {
  await logIn(page);
  await page.goto("/settings");
  await page.getByLabel("knockd.conf file").setInputFiles({ name: "knockd.conf", mimeType: "text/plain", buffer: Buffer.from(OTP_CONF) });
  await page.getByRole("button", { name: "Preview changes" }).click();
  const preview = page.getByTestId("import-preview");
  // Without the file: said so, and the door would come without a sequence.
  await expect(preview).toContainText("upload otp.txt with the file to import its sequences");
  await expect(preview).toContainText("added otpSSH (no sequence)");

  await page.getByLabel("One_Time_Sequences files (optional)").setInputFiles({ name: "otp.txt", mimeType: "text/plain", buffer: Buffer.from(OTP) });
  await expect(page.getByText("Chosen: otp.txt.")).toBeVisible();
  await expect(page.getByText("preview again before applying")).toBeVisible();
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(preview).toContainText("added otpSSH 2001,2002,2003 — one-time: 2 unused sequences");
  await expect(preview).toContainText("otp.txt line 3:");
  await expect(preview).not.toContainText("upload otp.txt");
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page).toHaveURL(/\/sequences\?saved=/);
  const row = testDb().$client.prepare("SELECT sequence, one_time_sequences AS lists, one_time_index AS idx FROM doors WHERE name = 'otpSSH'").get() as {
    sequence: string;
    lists: string;
    idx: number;
  };
  const ports = (steps: { port: number }[]) => steps.map((s) => s.port);
  expect(ports(JSON.parse(row.sequence))).toEqual([2001, 2002, 2003]);
  expect((JSON.parse(row.lists) as { port: number }[][]).map(ports)).toEqual([
    [2001, 2002, 2003],
    [3001, 3002, 3003],
  ]);
  expect(row.idx).toBe(0);
});

test("too many One_Time_Sequences files are refused with a clear error, and nothing is previewed or imported", async ({ page }) => {
  await logIn(page);
  await page.goto("/settings");
  const before = count("doors");
  await page.getByLabel("…or paste it").fill(OTP_CONF);
  await page.getByLabel("One_Time_Sequences files (optional)").setInputFiles(
    Array.from({ length: 17 }, (_, i) => ({ name: `otp${i}.txt`, mimeType: "text/plain", buffer: Buffer.from("1,2,3\n") })),
  );
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(page.locator("#import-onetime-err")).toContainText("at most 16 files");
  await expect(page.getByTestId("import-preview")).toHaveCount(0);
  expect(count("doors")).toBe(before);
});
