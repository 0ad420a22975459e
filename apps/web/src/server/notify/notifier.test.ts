import { redactUrl, type ChannelConfig, type ChannelSecrets, type NotifyKind } from "@sesame/core";
import { audit, events, notifyChannels, openDb, workerStatus, type SesameDb } from "@sesame/db";
import { mailHeader, mailText, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "@sesame/testkit/receivers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "./notifier";

/**
 * The notifier against a real database (migrations on :memory:) and real
 * receivers: an HTTP server and an SMTP server, both on 127.0.0.1. The
 * clock is injected (rate windows, back-off); the network is not.
 */

let http: HttpReceiver;
let smtp: SmtpReceiver;
beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ auth: { user: "sesame", pass: "s3cret-pass" } });
});
afterAll(async () => {
  await http?.stop();
  await smtp?.stop();
});

function setup() {
  const db = openDb(":memory:", { migrate: true });
  let t = 1_800_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const notifier = new Notifier({ db, now: clock.now, random: () => 0.5, offlineAfterMs: 15_000 });
  return { db, clock, notifier };
}

function addWebhook(db: SesameDb, name: string, path: string, opts: { events?: NotifyKind[]; rateCount?: number; ratePerSec?: number; preset?: "json" | "ntfy" | "slack" | "matrix"; token?: string } = {}) {
  const url = `${http.url}${path}`;
  const config: ChannelConfig = { type: "webhook", preset: opts.preset ?? "json", urlHint: redactUrl(url) };
  const secrets: ChannelSecrets = { url, ...(opts.token ? { token: opts.token } : {}) };
  return db.insert(notifyChannels).values({ name, type: "webhook", events: opts.events ?? ["open", "ban", "admin", "worker", "login"], rateCount: opts.rateCount ?? 10, ratePerSec: opts.ratePerSec ?? 60, config, secrets }).returning().get().id;
}

function addEmail(db: SesameDb, name: string, to: string, events: NotifyKind[] = ["open"]) {
  const config: ChannelConfig = { type: "email", host: smtp.host, port: smtp.port, security: "none", username: "sesame", from: "sesame@example.test", to: [to] };
  return db.insert(notifyChannels).values({ name, type: "email", events, config, secrets: { password: "s3cret-pass" } }).returning().get().id;
}

const openDetail = JSON.stringify({ ports: [{ port: 22, protocol: "tcp" }], durationSec: 300, refreshed: false });
const channel = (db: SesameDb, id: number) => db.$client.prepare("SELECT * FROM notify_channels WHERE id = ?").get(id) as Record<string, unknown>;
const bodies = (path: string) => http.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);

describe("notifier", () => {
  it("an OPEN SESAME reaches a webhook and an e-mail channel, with door, address, ports and duration", async () => {
    const { db, notifier } = setup();
    // History from before the first start is not news.
    db.insert(events).values({ ts: 1, ip: "10.9.9.9", doorName: "old", kind: "open", detail: openDetail }).run();
    await notifier.tick();
    addWebhook(db, "hook", "/open", { token: "tok-123" });
    addEmail(db, "mail", "ops@example.test");
    db.insert(events).values({ ts: 2, ip: "10.0.0.5", doorName: "openSSH", kind: "open", detail: openDetail }).run();
    db.insert(events).values({ ts: 3, ip: "10.0.0.5", doorName: "openSSH", kind: "stage", stage: 1 }).run();
    await notifier.tick();
    const got = bodies("/open");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ source: "sesame", kind: "open", event: { door: "openSSH", ip: "10.0.0.5", ports: "22/tcp", durationSec: 300 } });
    expect(http.requests.find((r) => r.path === "/open")!.headers.authorization).toBe("Bearer tok-123");
    const mail = await smtp.waitFor((m) => m.to.includes("ops@example.test"));
    expect(mail.user).toBe("sesame");
    expect(mailHeader(mail.raw, "Subject")).toBe("[Sesame] OPEN SESAME: 10.0.0.5 → openSSH");
    expect(mailText(mail.raw)).toContain("10.0.0.5: openSSH: OPEN SESAME: 22/tcp open for 5 min\n\nevent: open\ndoor: openSSH\nip: 10.0.0.5\nports: 22/tcp\ndurationSec: 300\n");
    expect(channel(db, 1)).toMatchObject({ sent_count: 1, failed_count: 0, last_error: null });
    expect(channel(db, 2)).toMatchObject({ sent_count: 1 });
  });

  it("a burst of 40 bans: one message, then one digest when the window ends", async () => {
    const { db, clock, notifier } = setup();
    await notifier.tick();
    const id = addWebhook(db, "bans", "/bans", { events: ["ban"], rateCount: 1, ratePerSec: 10 });
    for (let i = 0; i < 40; i++) db.insert(events).values({ ts: i, ip: `10.1.0.${i + 1}`, doorName: "decoy", kind: "ban", detail: '{"durationSec":600}' }).run();
    await notifier.tick();
    expect(bodies("/bans").map((b) => b.text)).toEqual(["10.1.0.1: decoy: BANNED for 10 min"]);
    clock.advance(9_000);
    await notifier.tick();
    expect(bodies("/bans")).toHaveLength(1);
    clock.advance(1_000);
    await notifier.tick();
    expect(bodies("/bans").map((b) => b.text)).toEqual(["10.1.0.1: decoy: BANNED for 10 min", "39 more bans in the last 10 s (rate limit; see the dashboard or History)"]);
    expect(channel(db, id)).toMatchObject({ sent_count: 2, held_count: 39 });
  });

  it("a failing receiver: the error is recorded, the queue waits, the retry delivers in order", async () => {
    const { db, clock, notifier } = setup();
    await notifier.tick();
    const id = addWebhook(db, "flaky", "/flaky/secret-path", { events: ["open"] });
    http.failNext(1, 503);
    db.insert(events).values({ ts: 1, ip: "10.0.0.7", doorName: "a", kind: "open", detail: openDetail }).run();
    await notifier.tick();
    expect(channel(db, id)).toMatchObject({ sent_count: 0, failed_count: 1, last_error: "HTTP 503 Service Unavailable: receiver told to fail" });
    db.insert(events).values({ ts: 2, ip: "10.0.0.8", doorName: "b", kind: "open", detail: openDetail }).run();
    await notifier.tick();
    // Held behind the failed one until its retry (1 s) is due: nothing new was tried.
    expect(http.requests.filter((r) => r.path.startsWith("/flaky"))).toHaveLength(1);
    clock.advance(1_000);
    await notifier.tick();
    expect(bodies("/flaky/secret-path").map((b) => (b.event as { ip: string }).ip)).toEqual(["10.0.0.7", "10.0.0.7", "10.0.0.8"]);
    expect(channel(db, id)).toMatchObject({ sent_count: 2, failed_count: 1 });
    expect(channel(db, id).last_success_at).toBe(clock.now());
    const rows = db.$client.prepare("SELECT status, attempts FROM notify_outbox WHERE channel_id = ? ORDER BY id").all(id);
    expect(rows).toEqual([{ status: "sent", attempts: 2 }, { status: "sent", attempts: 1 }]);
  });

  it("an unreachable receiver: the error names the cause, never the URL's secret path", async () => {
    const { db, notifier } = setup();
    await notifier.tick();
    const dead = await startHttpReceiver();
    await dead.stop();
    const url = `${dead.url}/hooks/T0/B0/very-secret`;
    const id = db.insert(notifyChannels).values({ name: "dead", type: "webhook", events: ["ban"], config: { type: "webhook", preset: "slack", urlHint: redactUrl(url) }, secrets: { url } }).returning().get().id;
    db.insert(events).values({ ts: 1, ip: "10.0.0.9", doorName: "d", kind: "ban", detail: "{}" }).run();
    await notifier.tick();
    const err = String(channel(db, id).last_error);
    expect(err).toContain("ECONNREFUSED");
    expect(err).not.toContain("very-secret");
  });

  it("admin unban and revoke, login locks, and each channel only gets the kinds it chose", async () => {
    const { db, notifier } = setup();
    await notifier.tick();
    addWebhook(db, "admin", "/admin", { events: ["admin", "login"] });
    db.insert(events).values({ ts: 1, ip: "10.0.0.5", doorName: "d", kind: "ban", detail: "{}" }).run();
    const add = (action: string, entity: string, after: unknown, actor = "admin") => db.insert(audit).values({ ts: 5, actor, action, entity, after }).run();
    add("unban", "ban", { ip: "10.0.0.5", door: "decoy", liftedAt: 5 });
    add("revoke", "grant", { ip: "10.0.0.6", door: "openSSH", closedAt: 5 });
    add("login-failed", "session", { address: "192.0.2.4", throttle: { block: "192.0.2.4", failures: 4, globalFailures: 4, locked: null } }, "unknown@192.0.2.4");
    add("login-failed", "session", { address: "192.0.2.4", throttle: { block: "192.0.2.4", failures: 5, globalFailures: 5, locked: { scope: "client", seconds: 60 } } }, "unknown@192.0.2.4");
    add("update", "door", { name: "x" });
    await notifier.tick();
    expect(bodies("/admin").map((b) => b.text)).toEqual([
      "10.0.0.5: decoy: unbanned by admin",
      "10.0.0.6: openSSH: access revoked by admin",
      "Admin login locked for 60 s after failure 5 from 192.0.2.4",
    ]);
  });

  it("worker down, then back; a disabled channel gets nothing", async () => {
    const { db, clock, notifier } = setup();
    const beat = (at: number) =>
      db.insert(workerStatus).values({ id: 1, pid: 1, startedAt: 0, heartbeatAt: at, interfaces: [], backend: "nftables" }).onConflictDoUpdate({ target: workerStatus.id, set: { heartbeatAt: at } }).run();
    beat(clock.now());
    addWebhook(db, "worker", "/worker", { events: ["worker"] });
    const off = addWebhook(db, "off", "/off", { events: ["worker"] });
    db.update(notifyChannels).set({ enabled: false }).run();
    db.$client.prepare("UPDATE notify_channels SET enabled = 1 WHERE id != ?").run(off);
    await notifier.tick();
    for (let i = 0; i < 17; i++) {
      clock.advance(1000);
      await notifier.tick();
    }
    expect(bodies("/worker").map((b) => b.title)).toEqual(["Worker down"]);
    beat(clock.now());
    clock.advance(1000);
    await notifier.tick();
    expect(bodies("/worker").map((b) => b.title)).toEqual(["Worker down", "Worker back"]);
    expect(bodies("/off")).toEqual([]);
  });
});
