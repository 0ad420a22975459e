import { describe, expect, it } from "vitest";
import type { NotifyEvent } from "./events";
import { buildNotifyMessage, formatDigest } from "./message";
import { buildWebhookRequest, splitNtfyUrl, type WebhookPreset } from "./presets";

const AT = Date.UTC(2026, 11, 2, 4, 0, 0);
const open: NotifyEvent = {
  kind: "open",
  at: AT,
  ip: "203.0.113.7",
  door: "openSSH",
  user: null,
  ports: [{ port: 22, protocol: "tcp" }, { port: 60001, protocol: "udp" }],
  durationSec: 300,
  refreshed: false,
};

describe("buildNotifyMessage", () => {
  it.each<[string, NotifyEvent, string, string]>([
    ["open by a door", open, "OPEN SESAME: 203.0.113.7 → openSSH", "203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min"],
    ["open by a user", { ...open, door: "spa", user: "alice", durationSec: 45 }, "OPEN SESAME: 203.0.113.7 → spa", "203.0.113.7: spa: OPEN SESAME (user alice): 22/tcp, 60001/udp open for 45 s"],
    ["open by a user, no door", { ...open, door: null, user: "alice" }, "OPEN SESAME: 203.0.113.7 → user alice", "203.0.113.7: user alice: OPEN SESAME: 22/tcp, 60001/udp open for 5 min"],
    ["refreshed open", { ...open, refreshed: true, durationSec: 5400 }, "OPEN SESAME: 203.0.113.7 → openSSH", "203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp refreshed for 1 h 30 min"],
    ["ban", { kind: "ban", at: AT, ip: "198.51.100.9", door: "decoy", durationSec: 3600 }, "Banned 198.51.100.9", "198.51.100.9: decoy: BANNED for 1 h"],
    ["ban, unknown length", { kind: "ban", at: AT, ip: "198.51.100.9", door: null, durationSec: null }, "Banned 198.51.100.9", "198.51.100.9: decoy: BANNED"],
    ["unban", { kind: "admin", at: AT, action: "unban", actor: "admin", ip: "198.51.100.9", door: "decoy" }, "admin unbanned 198.51.100.9", "198.51.100.9: decoy: unbanned by admin"],
    ["revoke", { kind: "admin", at: AT, action: "revoke", actor: "admin", ip: "203.0.113.7", door: "openSSH" }, "admin revoked the grant of 203.0.113.7", "203.0.113.7: openSSH: access revoked by admin"],
    ["worker down", { kind: "worker", at: AT, state: "down", detail: "no heartbeat for 16 s" }, "Worker down", "Worker down: no heartbeat for 16 s"],
    ["worker error", { kind: "worker", at: AT, state: "error", detail: "nft: Operation not permitted" }, "Worker error", "Worker error: nft: Operation not permitted"],
    ["login lock", { kind: "login", at: AT, address: "192.0.2.4", scope: "client", failures: 5, lockSeconds: 60 }, "Admin login locked (192.0.2.4)", "Admin login locked for 60 s after failure 5 from 192.0.2.4"],
    ["global login lock", { kind: "login", at: AT, address: "192.0.2.4", scope: "global", failures: 30, lockSeconds: 42 }, "Admin login locked (all addresses)", "Admin login locked for 42 s after failure 30 from 192.0.2.4 (the appliance-wide ceiling: every address is locked)"],
    ["digest", { kind: "digest", at: AT, held: { ban: 37 }, windowSec: 60 }, "Sesame: more events held back", "37 more bans in the last minute (rate limit; see the dashboard or History)"],
  ])("%s", (_name, ev, title, text) => {
    const msg = buildNotifyMessage(ev);
    expect(msg.title).toBe(title);
    expect(msg.text).toBe(text);
    expect(msg.fields.at).toBe("2026-12-02T04:00:00.000Z");
  });

  it("an open's fields carry door, user, address, ports and duration", () => {
    expect(buildNotifyMessage(open).fields).toMatchObject({ event: "open", door: "openSSH", user: null, ip: "203.0.113.7", ports: "22/tcp, 60001/udp", durationSec: 300 });
  });
});

describe("formatDigest", () => {
  it.each<[Record<string, number>, number, string]>([
    [{ ban: 37 }, 60, "37 more bans in the last minute"],
    [{ ban: 1 }, 60, "1 more ban in the last minute"],
    [{ open: 2, ban: 37 }, 10, "2 more opens and 37 more bans in the last 10 s"],
    [{ open: 1, ban: 2, login: 3 }, 300, "1 more open, 2 more bans and 3 more login locks in the last 5 min"],
    [{ worker: 4 }, 3600, "4 more worker alerts in the last hour"],
  ])("%j over %d s", (held, sec, text) => {
    expect(formatDigest(held, sec)).toBe(text);
  });
});

describe("buildWebhookRequest", () => {
  const msg = buildNotifyMessage(open);
  const bodies: Record<WebhookPreset, [string, string, Record<string, unknown>]> = {
    json: [
      "https://hooks.example/sesame?k=1",
      "https://hooks.example/sesame?k=1",
      {
        source: "sesame",
        kind: "open",
        title: "OPEN SESAME: 203.0.113.7 → openSSH",
        text: "203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min",
        at: "2026-12-02T04:00:00.000Z",
        event: { event: "open", door: "openSSH", user: null, ip: "203.0.113.7", ports: "22/tcp, 60001/udp", durationSec: 300, refreshed: false, at: "2026-12-02T04:00:00.000Z" },
      },
    ],
    ntfy: [
      "https://ntfy.sh/sesame-alerts",
      "https://ntfy.sh/",
      { topic: "sesame-alerts", title: "OPEN SESAME: 203.0.113.7 → openSSH", message: "203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min", priority: 3, tags: ["unlock"] },
    ],
    slack: [
      "https://hooks.slack.com/services/T0/B0/XXXX",
      "https://hooks.slack.com/services/T0/B0/XXXX",
      { text: "*OPEN SESAME: 203.0.113.7 → openSSH*\n203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min" },
    ],
    matrix: [
      "https://matrix.example/_matrix/client/v3/rooms/!abc:example/send/m.room.message",
      "https://matrix.example/_matrix/client/v3/rooms/!abc:example/send/m.room.message",
      {
        msgtype: "m.text",
        body: "OPEN SESAME: 203.0.113.7 → openSSH\n203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min",
        format: "org.matrix.custom.html",
        formatted_body: "<b>OPEN SESAME: 203.0.113.7 → openSSH</b><br>203.0.113.7: openSSH: OPEN SESAME: 22/tcp, 60001/udp open for 5 min",
      },
    ],
  };
  it.each(Object.entries(bodies) as [WebhookPreset, (typeof bodies)[WebhookPreset]][])("%s", (preset, [url, to, body]) => {
    expect(buildWebhookRequest(preset, url, open, msg)).toEqual({ url: to, body });
  });

  it("escapes markup for Slack and Matrix", () => {
    const m = { ...msg, title: "a <b> & c", text: "x>y" };
    expect(buildWebhookRequest("slack", "https://h/x", open, m).body).toEqual({ text: "*a &lt;b&gt; &amp; c*\nx&gt;y" });
    expect(buildWebhookRequest("matrix", "https://h/x", open, m).body.formatted_body).toBe("<b>a &lt;b&gt; &amp; c</b><br>x&gt;y");
  });
});

describe("splitNtfyUrl", () => {
  it.each([
    ["https://ntfy.sh/alerts", { root: "https://ntfy.sh/", topic: "alerts" }],
    ["https://push.example:8443/ntfy/alerts_1?x=1", { root: "https://push.example:8443/ntfy/", topic: "alerts_1" }],
    ["http://127.0.0.1:8080/t/", { root: "http://127.0.0.1:8080/", topic: "t" }],
    ["https://ntfy.sh/", null],
    ["https://ntfy.sh/bad%20topic", null],
    ["not a url", null],
  ])("%s", (url, want) => {
    expect(splitNtfyUrl(url)).toEqual(want);
  });
});
