import { expect, test } from "@playwright/test";
import { testDb } from "../helpers/db";
import { logIn } from "../helpers/session";

/**
 * History stays fast with a million events: every page of /history is a
 * keyset query on an index, never an OFFSET scan. The page reports its own
 * query time, which must stay under 200 ms for each filter shape.
 */
const N = 1_000_000;
const DOORS = ["ssh", "vpn", "https", "rdp", "git", "db", "mail", "dns", "ldap", "ftp"];

test.describe.serial("history at 1M events", () => {
  test.setTimeout(180_000);

  test.beforeAll(() => {
    const db = testDb().$client;
    const have = (db.prepare("SELECT count(*) AS n FROM events WHERE detail = 'scale'").get() as { n: number }).n;
    if (have >= N) return;
    const insert = db.prepare("INSERT INTO events (ts, ip, door_name, kind, stage, detail) VALUES (?, ?, ?, ?, ?, 'scale')");
    const now = Date.now();
    const span = 20 * 86_400_000;
    let seed = 42;
    // 32-bit LCG (Math.imul: a plain * loses precision and cycles early).
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    db.transaction(() => {
      for (let i = have; i < N; i++) {
        const r = rand();
        const kind = r < 0.8 ? "stage" : r < 0.9 ? "timeout" : r < 0.96 ? "invalid" : r < 0.99 ? "open" : "ban";
        // 50k addresses in 10.0.0.0/8, a few hot ones in 172.16.5.0/24.
        const ip = rand() < 0.001 ? `172.16.5.${Math.floor(rand() * 250) + 1}` : `10.${Math.floor(rand() * 200)}.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250) + 1}`;
        insert.run(now - span + Math.floor((i / N) * span), ip, DOORS[Math.floor(rand() * DOORS.length)], kind, kind === "stage" ? 1 + Math.floor(rand() * 3) : null);
      }
      // One busy address with enough history to page through.
      for (let i = 0; i < 300; i++) insert.run(now - span + i * 3_600_000, "172.16.5.7", "ssh", "stage", 1);
    })();
    db.pragma("optimize");
  });

  const cases: [string, string][] = [
    ["newest page, no filter", ""],
    ["kind = open", "kind=open"],
    ["door", "door=vpn"],
    ["exact address", "ip=172.16.5.7"],
    ["sparse /24", `ip=${encodeURIComponent("172.16.5.0/24")}`],
    ["medium /16 (~5k rows)", `ip=${encodeURIComponent("10.55.0.0/16")}`],
    ["dense /8", `ip=${encodeURIComponent("10.0.0.0/8")}`],
    ["dense /12 + kind", `ip=${encodeURIComponent("10.16.0.0/12")}&kind=ban`],
    ["time range", `from=${encodeURIComponent(new Date(Date.now() - 10 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 9 * 86_400_000).toISOString())}`],
    ["door + kind, 500 rows", "door=git&kind=timeout&pageSize=500"],
  ];

  for (const [label, query] of cases) {
    test(`${label}: first and a deep page under 200 ms`, async ({ page }) => {
      await logIn(page);
      const took: number[] = [];
      await page.goto(`/history?${query}`);
      await expect(page.getByTestId("history-table")).toBeVisible();
      took.push(Number(/Query took (\d+) ms/.exec((await page.locator("main").textContent()) ?? "")?.[1]));
      // Walk 3 pages deeper, then jump far back in time with a cursor.
      for (let i = 0; i < 3 && (await page.getByRole("link", { name: "Older →" }).count()); i++) {
        await page.getByRole("link", { name: "Older →" }).click();
        await expect(page.getByTestId("history-table")).toBeVisible();
        took.push(Number(/Query took (\d+) ms/.exec((await page.locator("main").textContent()) ?? "")?.[1]));
      }
      const deep = `${Date.now() - 15 * 86_400_000}.999999999`;
      await page.goto(`/history?${query}${query ? "&" : ""}before=${deep}`);
      took.push(Number(/Query took (\d+) ms/.exec((await page.locator("main").textContent()) ?? "")?.[1]));
      test.info().annotations.push({ type: "query ms", description: took.join(", ") });
      console.log(`history ${label}: ${took.join(", ")} ms`);
      for (const t of took) expect(t).toBeLessThan(200);
    });
  }

  test("CIDR filters return exactly the matching rows (CSV export vs. a brute-force scan)", async ({ page }) => {
    await logIn(page);
    const all = testDb().$client.prepare("SELECT id, ip, kind FROM events WHERE ip LIKE '10.%' OR ip LIKE '172.16.%'").all() as { id: number; ip: string; kind: string }[];
    const toNum = (a: string) => a.split(".").reduce((v, o) => v * 256 + Number(o), 0);
    const inCidr = (ip: string, net: string, bits: number) => Math.floor(toNum(ip) / 2 ** (32 - bits)) === Math.floor(toNum(net) / 2 ** (32 - bits));
    for (const [cidr, kind] of [["10.16.0.0/12", "ban"], ["172.16.5.0/24", ""], ["10.40.16.0/20", "open"]] as const) {
      const [net, bits] = cidr.split("/") as [string, string];
      const expected = all.filter((e) => inCidr(e.ip, net, Number(bits)) && (!kind || e.kind === kind)).map((e) => e.id).sort((a, b) => a - b);
      const res = await page.request.get(`/api/history/export?ip=${encodeURIComponent(cidr)}${kind ? `&kind=${kind}` : ""}`);
      const ids = (await res.text()).trim().split("\r\n").slice(1).map((l) => Number(l.split(",")[0])).sort((a, b) => a - b);
      expect(ids.length, cidr).toBe(expected.length);
      expect(ids, cidr).toEqual(expected);
    }
  });

  test("dashboard and the live stream stay quick", async ({ page }) => {
    await logIn(page);
    const t0 = Date.now();
    await page.goto("/?range=7d");
    await expect(page.getByTestId("stream-status")).toContainText("live");
    const ms = Date.now() - t0;
    test.info().annotations.push({ type: "dashboard 7d load ms", description: String(ms) });
    console.log(`dashboard 7d: ${ms} ms`);
    expect(ms).toBeLessThan(3000);
  });
});
