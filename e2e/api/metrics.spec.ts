import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { testDb } from "../helpers/db";

/**
 * /metrics as Prometheus scrapes it: loopback only while no token is set,
 * the bearer token once one is (from loopback too), the body accepted by
 * `promtool check metrics`, event counters that count what was written
 * since, the worker's heartbeat figures (firewall latency histogram,
 * write queue, memory), and the scrape time with a million events.
 */

const N = 1_000_000;
const TOKEN = "smt_e2e-metrics-token-0123456789abcdefghijklmnopqrstuv";
const REMOTE = { "X-Forwarded-For": "198.51.100.7" };
const sha256 = (t: string) => createHash("sha256").update(t).digest("hex");

function setToken(token: string | null): void {
  const db = testDb().$client;
  if (token === null) db.prepare("DELETE FROM settings WHERE key = 'metricsToken'").run();
  else {
    const value = JSON.stringify({ sha256: sha256(token), prefix: token.slice(0, 10), createdAt: Date.now(), createdBy: "e2e" });
    db.prepare("INSERT INTO settings (key, value) VALUES ('metricsToken', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(value);
  }
}

/** One sample's value from the text format (labels given as they print, e.g. `{kind="open"}`). */
function sample(body: string, name: string, labels = ""): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  if (line === undefined) return undefined;
  const value = line.slice(line.lastIndexOf(" ") + 1);
  return value === "+Inf" ? Number.POSITIVE_INFINITY : Number(value);
}

function promtool(body: string): { status: number | null; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test.describe.serial("/metrics", () => {
  test.setTimeout(180_000);

  test.afterAll(() => setToken(null));

  test("without a token: this host may scrape, another address may not", async ({ request }) => {
    setToken(null);
    const local = await request.get("/metrics");
    expect(local.status()).toBe(200);
    expect(local.headers()["content-type"]).toContain("text/plain; version=0.0.4");
    const remote = await request.get("/metrics", { headers: REMOTE });
    expect(remote.status()).toBe(401);
    expect((await remote.json()).error).toEqual({ code: "unauthorized", message: expect.stringContaining("only this host") });
  });

  test("with a token: the bearer token is required from anywhere, loopback too", async ({ request }) => {
    setToken(TOKEN);
    const refused: Record<string, string>[] = [{}, REMOTE, { Authorization: "Bearer smt_wrong" }, { Authorization: `Basic ${TOKEN}` }, { ...REMOTE, Authorization: `Bearer ${TOKEN}x` }];
    for (const headers of refused) {
      const res = await request.get("/metrics", { headers });
      expect(res.status(), JSON.stringify(headers)).toBe(401);
      expect(res.headers()["www-authenticate"]).toContain("Bearer");
      expect(await res.text()).not.toContain("sesame_");
    }
    const ok = await request.get("/metrics", { headers: { ...REMOTE, Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status()).toBe(200);
    expect(await ok.text()).toContain("sesame_worker_up");
  });

  test("promtool accepts the body; event counters count what was written since the last scrape", async ({ request }) => {
    setToken(TOKEN);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const before = await (await request.get("/metrics", { headers: auth })).text();
    const db = testDb().$client;
    const insert = db.prepare("INSERT INTO events (ts, ip, door_name, kind) VALUES (?, '192.0.2.44', 'ssh', ?)");
    const kinds = ["open", "open", "open", "ban", "stage", "spa", "spa"];
    db.transaction(() => kinds.forEach((k) => insert.run(Date.now(), k)))();
    const body = await (await request.get("/metrics", { headers: auth })).text();
    const delta = (name: string, labels = "") => (sample(body, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta("sesame_opens_total")).toBe(3);
    expect(delta("sesame_bans_total")).toBe(1);
    expect(delta("sesame_events_total", '{kind="open"}')).toBe(3);
    expect(delta("sesame_knocks_total", '{outcome="stage"}')).toBe(1);
    expect(delta("sesame_events_total", '{kind="spa"}')).toBe(2);
    expect(body).toContain("sesame_web_process_resident_memory_bytes");
    const check = promtool(body);
    expect(check.status, check.output).toBe(0);
    // promtool is not a rubber stamp: a counter without _total fails it.
    expect(promtool("# HELP x help\n# TYPE x counter\nx 1\n").status).not.toBe(0);
  });

  test("the worker's heartbeat figures: firewall latency histogram, write queue, memory, heartbeat age", async ({ request }) => {
    setToken(null);
    const db = testDb().$client;
    const saved = db.prepare("SELECT * FROM worker_status WHERE id = 1").get() as Record<string, unknown> | undefined;
    const stats = {
      pending: 17, maxAttempts: 250_000, eventsPending: 4, captureDropped: 9, grantsOpen: 2, rssBytes: 70_000_000,
      firewallCalls: 5, firewallCallMsSum: 12.5, "firewallCallMsLe0.25": 1, "firewallCallMsLe0.5": 2, firewallCallMsLe1: 3, "firewallCallMsLe2.5": 3,
      firewallCallMsLe5: 4, firewallCallMsLe10: 4, firewallCallMsLe25: 5, firewallCallMsLe50: 5, firewallCallMsLe100: 5, firewallCallMsLe250: 5,
      firewallCallMsLe500: 5, firewallCallMsLe1000: 5, firewallCallMsLe2500: 5, firewallCallMsLe5000: 5,
      // the SPA verifier's counts by outcome (junk is counted there even when it gets no event row)
      "spa:opened": 3, "spa:bad-hmac": 1200, "spa:replayed": 2,
    };
    try {
      // Never ran: not up, and an infinite heartbeat age (an `age > 15` alert fires too).
      db.prepare("DELETE FROM worker_status WHERE id = 1").run();
      const never = await (await request.get("/metrics")).text();
      expect(sample(never, "sesame_worker_up")).toBe(0);
      expect(sample(never, "sesame_worker_heartbeat_age_seconds")).toBe(Number.POSITIVE_INFINITY);
      expect(promtool(never).status, promtool(never).output).toBe(0);
      db.prepare(
        "INSERT INTO worker_status (id, pid, started_at, heartbeat_at, interfaces, backend, applied_config_version, stats) VALUES (1, 4242, ?, ?, '[\"eth9\"]', 'nftables', 0, ?) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stats = excluded.stats",
      ).run(Date.now() - 60_000, Date.now() - 3000, JSON.stringify(stats));
      const body = await (await request.get("/metrics")).text();
      expect(promtool(body).status, promtool(body).output).toBe(0);
      expect(sample(body, "sesame_worker_pending_attempts")).toBe(17);
      expect(sample(body, "sesame_worker_db_write_queue")).toBe(4);
      expect(sample(body, "sesame_worker_capture_dropped_total")).toBe(9);
      expect(sample(body, "sesame_worker_resident_memory_bytes")).toBe(70_000_000);
      expect(sample(body, "sesame_worker_firewall_call_duration_seconds_bucket", '{le="0.001"}')).toBe(3);
      expect(sample(body, "sesame_worker_firewall_call_duration_seconds_bucket", '{le="+Inf"}')).toBe(5);
      expect(sample(body, "sesame_worker_firewall_call_duration_seconds_sum")).toBe(0.0125);
      expect(sample(body, "sesame_worker_up")).toBe(1);
      expect(sample(body, "sesame_spa_packets_total", '{outcome="opened"}')).toBe(3);
      expect(sample(body, "sesame_spa_packets_total", '{outcome="bad-hmac"}')).toBe(1200);
      expect(sample(body, "sesame_spa_packets_total", '{outcome="replayed"}')).toBe(2);
      const age = sample(body, "sesame_worker_heartbeat_age_seconds")!;
      expect(age).toBeGreaterThanOrEqual(3);
      expect(age).toBeLessThan(15);
    } finally {
      db.prepare("DELETE FROM worker_status WHERE id = 1").run();
      if (saved) {
        const cols = Object.keys(saved);
        db.prepare(`INSERT INTO worker_status (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(saved);
      }
    }
  });

  test("scrape time with a million events: no full-table count per scrape", async ({ request }) => {
    setToken(null);
    const db = testDb().$client;
    const have = (db.prepare("SELECT max(id) AS m FROM events").get() as { m: number | null }).m ?? 0;
    if (have < N) {
      const insert = db.prepare("INSERT INTO events (ts, ip, door_name, kind, stage) VALUES (?, ?, 'ssh', ?, 1)");
      const kinds = ["stage", "stage", "stage", "timeout", "invalid", "open", "ban", "spa"];
      db.transaction(() => {
        for (let i = have; i < N; i++) insert.run(Date.now() - (N - i) * 1000, `10.${i % 200}.${(i >> 8) % 250}.${(i % 250) + 1}`, kinds[i % kinds.length]);
      })();
    }
    const total = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
    expect(total).toBeGreaterThanOrEqual(N);
    // The first scrape after the seeding counts the million new rows once (a live worker adds a few per scrape).
    let t0 = performance.now();
    expect((await request.get("/metrics")).status()).toBe(200);
    const catchUp = performance.now() - t0;
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      // A few new rows each time, as a live worker writes them.
      db.prepare("INSERT INTO events (ts, ip, door_name, kind) VALUES (?, '192.0.2.45', 'ssh', 'stage')").run(Date.now());
      t0 = performance.now();
      const res = await request.get("/metrics");
      await res.text();
      took.push(performance.now() - t0);
      expect(res.status()).toBe(200);
    }
    took.sort((a, b) => a - b);
    t0 = performance.now();
    db.prepare("SELECT kind, count(*) FROM events GROUP BY kind").all();
    const fullCount = performance.now() - t0;
    console.log(`metrics scrape with ${total} events: median ${took[10]!.toFixed(1)} ms, p95 ${took[18]!.toFixed(1)} ms, max ${took[19]!.toFixed(1)} ms; the one catch-up scrape after seeding ${catchUp.toFixed(0)} ms; a full count by kind alone: ${fullCount.toFixed(0)} ms`);
    expect(took[10]).toBeLessThan(100);
  });
});
