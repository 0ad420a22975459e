import type { NotifyEvent } from "./events";
import type { NotifyMessage } from "./message";

/** Webhook body shapes: Sesame's own JSON, or what ntfy, Slack (and Mattermost, Rocket.Chat) and Matrix accept. */
export const WEBHOOK_PRESETS = ["json", "ntfy", "slack", "matrix"] as const;
export type WebhookPreset = (typeof WEBHOOK_PRESETS)[number];

export const WEBHOOK_PRESET_LABELS: Record<WebhookPreset, string> = {
  json: "JSON (Sesame's own body)",
  ntfy: "ntfy (https://ntfy.sh/your-topic)",
  slack: "Slack-compatible incoming webhook",
  matrix: "Matrix room (…/rooms/!id:server/send/m.room.message)",
};

export interface WebhookRequest {
  url: string;
  body: Record<string, unknown>;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeSlack(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * ntfy takes JSON only at the server's root, with the topic in the body, so
 * the topic URL an admin copies (`https://ntfy.sh/my-topic`, or a
 * self-hosted `https://host/ntfy/my-topic`) is split into root and topic.
 */
export function splitNtfyUrl(url: string): { root: string; topic: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const segments = u.pathname.split("/").filter(Boolean);
  const topic = segments.pop();
  if (!topic || !/^[-_A-Za-z0-9]{1,64}$/.test(topic)) return null;
  u.pathname = `/${segments.map((s) => `${s}/`).join("")}`;
  u.search = "";
  u.hash = "";
  return { root: u.toString(), topic };
}

/** The POST a webhook channel makes for one event (the URL is the channel's, or ntfy's root). */
export function buildWebhookRequest(preset: WebhookPreset, url: string, ev: NotifyEvent, msg: NotifyMessage): WebhookRequest {
  switch (preset) {
    case "json":
      return {
        url,
        body: { source: "sesame", kind: ev.kind, title: msg.title, text: msg.text, at: new Date(ev.at).toISOString(), event: msg.fields },
      };
    case "ntfy": {
      const split = splitNtfyUrl(url);
      if (!split) throw new Error(`not an ntfy topic URL: ${url}`);
      return { url: split.root, body: { topic: split.topic, title: msg.title, message: msg.text, priority: msg.priority, tags: msg.tags } };
    }
    case "slack":
      return { url, body: { text: `*${escapeSlack(msg.title)}*\n${escapeSlack(msg.text)}` } };
    case "matrix":
      return {
        url,
        body: {
          msgtype: "m.text",
          body: `${msg.title}\n${msg.text}`,
          format: "org.matrix.custom.html",
          formatted_body: `<b>${escapeHtml(msg.title)}</b><br>${escapeHtml(msg.text)}`,
        },
      };
  }
}
