import { expect, test, type Page } from "@playwright/test";
import { fillDoor } from "../helpers/editor";
import { logIn } from "../helpers/session";

/**
 * Nothing runs off the page: the knockd.conf preview (long Start_Command
 * lines) wraps inside its box, and the trusted-network form's inputs line up,
 * at desktop and phone width.
 */
const WIDTHS = [
  { name: "1280 px", viewport: { width: 1280, height: 860 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

type Box = { left: number; right: number; top: number; height: number; scrollWidth: number; clientWidth: number };

async function boxOf(page: Page, selector: string): Promise<Box[]> {
  return (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, height: r.height, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  })`)) as Box[];
}

async function pageWidths(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return (await page.evaluate("({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })")) as { scrollWidth: number; innerWidth: number };
}

for (const w of WIDTHS) {
  test.describe(`layout at ${w.name}`, () => {
    test.use({ viewport: w.viewport });
    test.beforeEach(async ({ page }) => {
      await logIn(page);
    });

    test("the knockd.conf preview wraps inside its box (nothing cut off on the right)", async ({ page }) => {
      await page.goto("/sequences/new");
      await fillDoor(page, { name: "layout-door", knocks: ["7000", "8000:udp", "9000"], open: { ports: [22], seconds: 600 } });
      const preview = page.getByTestId("knockd-section");
      await expect(preview).toContainText("Start_Command");
      const [pre] = await boxOf(page, '[data-testid="knockd-section"]');
      expect(pre!.scrollWidth, "the preview scrolls sideways: its lines run past the box").toBeLessThanOrEqual(pre!.clientWidth + 1);
      const [card] = await boxOf(page, 'section[aria-labelledby="h-preview"]');
      expect(pre!.right).toBeLessThanOrEqual(card!.right);
      const { scrollWidth, innerWidth } = await pageWidths(page);
      expect(scrollWidth, "the page scrolls sideways").toBeLessThanOrEqual(innerWidth);
      // Wrapped for display only: the text is still the whole line.
      await expect(preview).toContainText(/Start_Command\s+= \/usr\/sbin\/iptables -I INPUT -s %IP% -p tcp --dport 22 -j ACCEPT/);
    });

    test("the trusted-network form's inputs line up", async ({ page }) => {
      await page.goto("/trusted");
      const inputs = await boxOf(page, "#f-cidr, #f-comment, #f-expiresAt");
      expect(inputs).toHaveLength(3);
      const heights = inputs.map((b) => Math.round(b.height));
      expect(Math.max(...heights) - Math.min(...heights), `input heights ${heights.join(", ")}`).toBeLessThanOrEqual(1);
      if (w.viewport.width >= 1000) {
        // One row: the same top edge, whatever the length of each hint.
        const tops = inputs.map((b) => Math.round(b.top));
        expect(Math.max(...tops) - Math.min(...tops), `input tops ${tops.join(", ")}`).toBeLessThanOrEqual(1);
      } else {
        // Stacked: the same left and right edges.
        const lefts = inputs.map((b) => Math.round(b.left));
        const rights = inputs.map((b) => Math.round(b.right));
        expect(Math.max(...lefts) - Math.min(...lefts)).toBeLessThanOrEqual(1);
        expect(Math.max(...rights) - Math.min(...rights)).toBeLessThanOrEqual(1);
      }
      const { scrollWidth, innerWidth } = await pageWidths(page);
      expect(scrollWidth, "the page scrolls sideways").toBeLessThanOrEqual(innerWidth);
    });
  });
}
