import { describe, expect, it } from "vitest";
import { fieldErrors } from "../web/form-fields";
import { makeChannelInputSchema, redactUrl } from "./schemas";

const webhook = { type: "webhook", name: "phone", enabled: "on", events: ["open", "ban"], rateCount: "10", ratePerSec: "60", preset: "ntfy", url: "https://ntfy.sh/sesame-x", token: "", clearToken: "" };
const email = {
  type: "email", name: "ops mail", enabled: "", events: ["worker"], rateCount: "5", ratePerSec: "60",
  host: "smtp.example.com", port: "587", security: "starttls", username: "sesame", password: "pw", clearPassword: "", from: "sesame@example.com", to: "a@example.com, b@example.com",
};

describe("channel input", () => {
  it("parses a webhook and an e-mail channel from form values", () => {
    expect(makeChannelInputSchema().parse(webhook)).toEqual({
      type: "webhook", name: "phone", enabled: true, events: ["open", "ban"], rateCount: 10, ratePerSec: 60, preset: "ntfy", url: "https://ntfy.sh/sesame-x", token: undefined, clearToken: false,
    });
    expect(makeChannelInputSchema().parse(email)).toMatchObject({ enabled: false, port: 587, to: ["a@example.com", "b@example.com"], password: "pw" });
  });

  it("events come back in a fixed order, without repeats", () => {
    expect(makeChannelInputSchema().parse({ ...webhook, events: ["login", "open", "login"] }).events).toEqual(["open", "login"]);
  });

  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    ["no URL on a new channel", { ...webhook, url: "" }, { url: "URL is required." }],
    ["an ntfy URL without a topic", { ...webhook, url: "https://ntfy.sh/" }, { url: "An ntfy URL ends with the topic, e.g. https://ntfy.sh/my-topic." }],
    ["a file: URL", { ...webhook, preset: "json", url: "file:///etc/passwd" }, { url: "URL must be an http:// or https:// address, e.g. https://ntfy.sh/my-topic." }],
    ["a token with a space", { ...webhook, token: "a b" }, { token: "Token must be printable characters without spaces." }],
    ["no events", { ...webhook, events: [] }, { events: "Choose at least one event to send." }],
    ["an unknown event", { ...webhook, events: ["stage"] }, { "events.0": "Events must be among open, ban, admin, worker, login." }],
    ["a zero rate", { ...webhook, rateCount: "0" }, { rateCount: "Rate limit must be a whole number of messages from 1 to 1000." }],
    ["a 1 s window", { ...webhook, ratePerSec: "1" }, { ratePerSec: "Rate limit window must be a whole number of seconds from 10 to 86400." }],
    ["an unknown preset", { ...webhook, preset: "teams" }, { preset: "Body must be one of json, ntfy, slack, matrix." }],
    ["a blank name", { ...webhook, name: "  " }, { name: "Name is required." }],
    ["a host with a space", { ...email, host: "smtp example" }, { host: "SMTP host must be a host name or an IP address, e.g. smtp.example.com." }],
    ["port 0", { ...email, port: "0" }, { port: "SMTP port must be a whole number from 1 to 65535 (587 for STARTTLS, 465 for TLS)." }],
    ["a bad sender", { ...email, from: "sesame" }, { from: "From must be an e-mail address, e.g. sesame@example.com." }],
    ["a bad recipient", { ...email, to: "a@example.com, nobody" }, { "to.1": "Each recipient must be an e-mail address." }],
    ["no recipient", { ...email, to: " " }, { to: "Give at least one recipient." }],
    ["a user without a password", { ...email, password: "" }, { password: "Password is required with a user name." }],
    ["an unknown security", { ...email, security: "ssl3" }, { security: "Security must be STARTTLS, TLS or none." }],
    ["an unknown type", { ...webhook, type: "sms" }, { type: "Type must be webhook or email." }],
  ])("refuses %s", (_n, input, errors) => {
    const r = makeChannelInputSchema().safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(fieldErrors(r.error)).toEqual(errors);
  });

  it("when editing, stored secrets may be left empty (but a cleared password must be replaced)", () => {
    const stored = makeChannelInputSchema({ url: true, password: true });
    expect(stored.safeParse({ ...webhook, url: "" }).success).toBe(true);
    expect(stored.safeParse({ ...email, password: "" }).success).toBe(true);
    expect(stored.safeParse({ ...email, password: "", clearPassword: "on" }).success).toBe(false);
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/XXXX", "https://hooks.slack.com/…"],
    ["https://ntfy.sh/secret-topic", "https://ntfy.sh/…"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/"],
    ["http://127.0.0.1:8080/?token=1", "http://127.0.0.1:8080/…"],
    ["nope", "(invalid URL)"],
  ])("%s → %s", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
