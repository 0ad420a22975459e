import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./env";

/** Where the README's screenshots live. */
export const SHOTS = join(REPO_ROOT, "docs/screenshots");

/** A full-page screenshot for the README (docs/screenshots/NAME.png), after countdowns and client-side times settle. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate("window.scrollTo(0, 0)");
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: "disabled" });
}
