import type { Page } from "@playwright/test";

/**
 * Timing measured inside the page: a MutationObserver sees every render,
 * where polling from the test only samples every 100 ms or more. (Plain
 * script strings: the e2e tsconfig has no DOM types.)
 */

/** Starts timing how long after `text` shows in test id `inTestId` an element with test id `rowTestId` appears; read it with readLag. */
export async function watchLag(page: Page, key: string, o: { inTestId: string; text: string; rowTestId: string }): Promise<void> {
  await page.evaluate(`(() => {
    const o = ${JSON.stringify(o)};
    window[${JSON.stringify(`lag:${key}`)}] = new Promise((resolve) => {
      let textAt;
      const check = () => {
        const box = document.querySelector('[data-testid="' + o.inTestId + '"]');
        if (textAt === undefined && box && box.textContent.includes(o.text)) textAt = performance.now();
        if (textAt !== undefined && document.querySelector('[data-testid="' + o.rowTestId + '"]')) {
          observer.disconnect();
          resolve(performance.now() - textAt);
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      check();
    });
  })()`);
}

/** The ms measured by watchLag (waits for it). */
export async function readLag(page: Page, key: string): Promise<number> {
  return (await page.evaluate(`window[${JSON.stringify(`lag:${key}`)}]`)) as number;
}

/** Starts recording every text the element with test id `testId` shows, with performance.now() times. */
export async function recordTexts(page: Page, testId: string): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (window[${JSON.stringify(`texts:${testId}`)}] = []);
    const check = () => {
      const el = document.querySelector('[data-testid=${JSON.stringify(testId)}]');
      const text = el ? el.textContent : null;
      if (seen.length === 0 || seen[seen.length - 1].text !== text) seen.push({ t: performance.now(), text });
    };
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true });
    check();
  })()`);
}

/** What recordTexts saw so far, with performance.now() times (compare with pageNow). */
export async function readTexts(page: Page, testId: string): Promise<{ t: number; text: string | null }[]> {
  return (await page.evaluate(`window[${JSON.stringify(`texts:${testId}`)}]`)) as { t: number; text: string | null }[];
}

/** performance.now() in the page. */
export async function pageNow(page: Page): Promise<number> {
  return (await page.evaluate("performance.now()")) as number;
}
