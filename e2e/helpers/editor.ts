import { expect, type Page } from "@playwright/test";

export interface DoorSpec {
  name: string;
  knocks: string[]; // "7000", "8000:udp"
  open?: { ports: number[]; seconds: number };
  ban?: { seconds: number };
  confirmLockout?: boolean;
}

/** Fill the sequence editor (already open) the way a user would. */
export async function fillDoor(page: Page, d: DoorSpec): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(d.name);
  for (let i = 0; i < d.knocks.length; i++) {
    await page.getByRole("button", { name: "+ Add knock" }).click();
    const [port, proto] = d.knocks[i]!.split(":");
    await page.getByLabel(`Knock ${i + 1}, port number`).fill(port!);
    await page.getByLabel(`Knock ${i + 1}, protocol`).selectOption(proto ?? "tcp");
  }
  if (d.open) {
    await page.getByLabel("Open ports to the knocker").check();
    for (let i = 0; i < d.open.ports.length; i++) {
      if ((await page.getByLabel(`Open port ${i + 1}, port number`).count()) === 0) await page.getByRole("button", { name: "+ Add port" }).click();
      await page.getByLabel(`Open port ${i + 1}, port number`).fill(String(d.open.ports[i]));
    }
    await page.getByLabel("Open for (s)").fill(String(d.open.seconds));
  }
  if (d.ban) {
    await page.getByLabel("Ban the knocker (decoy)").check();
    await page.getByLabel("Ban for (s)").fill(String(d.ban.seconds));
  }
  if (d.confirmLockout) await page.getByLabel("I understand; protect these ports anyway.").check();
}

export async function expectConfigApplied(page: Page): Promise<void> {
  await expect(page.getByTestId("config-status")).toContainText("Config applied", { timeout: 10_000 });
}
