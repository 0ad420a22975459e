import { describe, expect, it } from "vitest";
import { parseChannelForm } from "./channel-form";
import type { ChannelRow } from "./channels";

function form(fields: Record<string, string | string[]>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, x);
  return fd;
}

const hookForm = { type: "webhook", name: "hook", enabled: "on", events: ["open"], rateCount: "10", ratePerSec: "60", preset: "slack", url: "", token: "" };
const mailForm = { type: "email", name: "mail", enabled: "on", events: ["open"], rateCount: "10", ratePerSec: "60", host: "smtp.example.com", port: "587", security: "starttls", username: "u", password: "", from: "s@example.com", to: "a@example.com" };

function row(over: Partial<ChannelRow>): ChannelRow {
  return {
    id: 1, name: "x", type: "webhook", enabled: true, events: ["open"], rateCount: 10, ratePerSec: 60,
    config: { type: "webhook", preset: "json", urlHint: "https://hooks.example/…" }, secrets: {},
    createdAt: 0, updatedAt: 0, lastSuccessAt: null, lastErrorAt: null, lastError: null, sentCount: 0, failedCount: 0, droppedCount: 0, heldCount: 0,
    ...over,
  };
}

describe("parseChannelForm: secrets", () => {
  const oldHook = row({ secrets: { url: "https://hooks.slack.com/services/T/B/SECRET", token: "tok" } });
  const oldMail = row({ type: "email", config: { type: "email", host: "h", port: 587, security: "starttls", username: "u", from: "s@example.com", to: ["a@example.com"] }, secrets: { password: "pw" } });

  it("empty URL and token keep the saved ones; the URL is shown only as its host", () => {
    const r = parseChannelForm(form(hookForm), oldHook);
    expect(r).toMatchObject({ ok: true, config: { type: "webhook", preset: "slack", urlHint: "https://hooks.slack.com/…" }, secrets: { url: "https://hooks.slack.com/services/T/B/SECRET", token: "tok" } });
  });

  it("typed values replace them; the box removes the token", () => {
    expect(parseChannelForm(form({ ...hookForm, url: "https://hooks.slack.com/services/T/B/NEW", token: "new" }), oldHook)).toMatchObject({ secrets: { url: "https://hooks.slack.com/services/T/B/NEW", token: "new" } });
    const cleared = parseChannelForm(form({ ...hookForm, clearToken: "on" }), oldHook);
    expect(cleared.ok && cleared.secrets).toEqual({ url: "https://hooks.slack.com/services/T/B/SECRET" });
  });

  it("a new channel, or one changing type, must be given its URL (nothing carries over)", () => {
    expect(parseChannelForm(form(hookForm), undefined)).toEqual({ ok: false, fieldErrors: { url: ["URL is required."] } });
    expect(parseChannelForm(form(hookForm), oldMail)).toEqual({ ok: false, fieldErrors: { url: ["URL is required."] } });
    expect(parseChannelForm(form(mailForm), oldHook)).toEqual({ ok: false, fieldErrors: { password: ["Password is required with a user name."] } });
  });

  it("an empty password keeps the saved one; without a user name none is stored", () => {
    expect(parseChannelForm(form(mailForm), oldMail)).toMatchObject({ ok: true, secrets: { password: "pw" } });
    expect(parseChannelForm(form({ ...mailForm, username: "" }), oldMail)).toMatchObject({ ok: true, secrets: {}, config: { username: null } });
    expect(parseChannelForm(form({ ...mailForm, password: "new" }), oldMail)).toMatchObject({ ok: true, secrets: { password: "new" } });
  });
});
