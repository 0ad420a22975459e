import "server-only";
import { buildNotifyMessage, buildWebhookRequest, type ChannelConfig, type ChannelSecrets, type NotifyEvent, type NotifyMessage } from "@sesame/core";
import { createTransport } from "nodemailer";

/** Longest a receiver may take before the attempt counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_ERROR_CHARS = 300;

export type DeliveryResult = { ok: true } | { ok: false; error: string };

export interface DeliveryTarget {
  name: string;
  config: ChannelConfig;
  secrets: ChannelSecrets;
}

/** Secrets never end up in an error message (they are shown in the UI and kept in the outbox). */
function scrub(text: string, secrets: ChannelSecrets): string {
  let out = text;
  for (const s of [secrets.url, secrets.token, secrets.password]) if (s) out = out.split(s).join("(secret)");
  return out.length > MAX_ERROR_CHARS ? `${out.slice(0, MAX_ERROR_CHARS)}…` : out;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${err.message} (${cause.code}${cause.message && !cause.message.includes(cause.code) ? `: ${cause.message}` : ""})`;
  if (cause?.message) return `${err.message} (${cause.message})`;
  const code = (err as { code?: string; responseCode?: number }).responseCode ?? (err as { code?: string }).code;
  return code && !err.message.includes(String(code)) ? `${err.message} (${code})` : err.message;
}

async function sendWebhook(t: DeliveryTarget & { config: Extract<ChannelConfig, { type: "webhook" }> }, ev: NotifyEvent, msg: NotifyMessage): Promise<DeliveryResult> {
  if (!t.secrets.url) return { ok: false, error: "no URL saved for this channel" };
  const req = buildWebhookRequest(t.config.preset, t.secrets.url, ev, msg);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Sesame-notify/1" };
  if (t.secrets.token) headers.authorization = `Bearer ${t.secrets.token}`;
  const res = await fetch(req.url, {
    method: "POST",
    headers,
    body: JSON.stringify(req.body),
    // A redirect would resend the body (and the token) somewhere the admin did not configure.
    redirect: "error",
    cache: "no-store",
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  if (res.ok) {
    await res.body?.cancel();
    return { ok: true };
  }
  const body = (await res.text().catch(() => "")).trim().replace(/\s+/g, " ").slice(0, 200);
  return { ok: false, error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${body ? `: ${body}` : ""}` };
}

function emailText(msg: NotifyMessage): string {
  const lines = Object.entries(msg.fields)
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => `${k}: ${String(v)}`);
  return `${msg.text}\n\n${lines.join("\n")}\n\n-- \nSent by Sesame. Change what this address receives under Notifications in the admin UI.\n`;
}

async function sendEmail(t: DeliveryTarget & { config: Extract<ChannelConfig, { type: "email" }> }, msg: NotifyMessage): Promise<DeliveryResult> {
  const c = t.config;
  const transport = createTransport({
    host: c.host,
    port: c.port,
    secure: c.security === "tls",
    requireTLS: c.security === "starttls",
    ignoreTLS: c.security === "none",
    auth: c.username ? { user: c.username, pass: t.secrets.password ?? "" } : undefined,
    connectionTimeout: DELIVERY_TIMEOUT_MS,
    greetingTimeout: DELIVERY_TIMEOUT_MS,
    socketTimeout: DELIVERY_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ from: c.from, to: c.to, subject: `[Sesame] ${msg.title}`, text: emailText(msg) });
    return { ok: true };
  } finally {
    transport.close();
  }
}

/** One attempt to hand one event to one channel. Never throws: the outcome is data. */
export async function deliver(t: DeliveryTarget, ev: NotifyEvent): Promise<DeliveryResult> {
  try {
    const msg = buildNotifyMessage(ev);
    const r = t.config.type === "webhook" ? await sendWebhook({ ...t, config: t.config }, ev, msg) : await sendEmail({ ...t, config: t.config }, msg);
    return r.ok ? r : { ok: false, error: scrub(r.error, t.secrets) };
  } catch (err) {
    return { ok: false, error: scrub(describeError(err), t.secrets) };
  }
}
