/**
 * The notification channel form, shared by the form, the server action and
 * the notifier. Secrets (the webhook URL, which often carries the token, a
 * bearer token, the SMTP password) may be left empty when editing: the
 * stored value is kept; `stored` tells the schema which ones exist.
 */
import { z } from "zod";
import { bool, intIn, optional } from "../web/form-fields";
import { NOTIFY_KINDS } from "./kinds";
import { splitNtfyUrl, WEBHOOK_PRESETS } from "./presets";

export const SMTP_SECURITY = ["starttls", "tls", "none"] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** A checkbox: present ("on") is true, absent is false. */
const checkbox = z.preprocess((v) => (v === undefined || v === null || v === "" ? false : v), bool("Must be on or off."));

const NameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, { error: "Name is required." })
  .max(64, { error: "Name must be at most 64 characters long." })
  .regex(/^[^\p{Cc}]+$/u, { error: "Name may not contain control characters." });

const EventsSchema = z
  .array(z.enum(NOTIFY_KINDS, { error: `Events must be among ${NOTIFY_KINDS.join(", ")}.` }), { error: "Choose the events to send." })
  .min(1, { error: "Choose at least one event to send." })
  .transform((list) => NOTIFY_KINDS.filter((k) => list.includes(k)));

const common = {
  name: NameSchema,
  enabled: checkbox,
  events: EventsSchema,
  rateCount: intIn(1, 1000, "Rate limit must be a whole number of messages from 1 to 1000."),
  ratePerSec: intIn(10, 86_400, "Rate limit window must be a whole number of seconds from 10 to 86400."),
};

const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000, { error: "URL must be at most 2000 characters long." })
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "";
    } catch {
      return false;
    }
  }, { error: "URL must be an http:// or https:// address, e.g. https://ntfy.sh/my-topic." });

const TokenSchema = z
  .string()
  .trim()
  .max(4096, { error: "Token must be at most 4096 characters long." })
  .regex(/^[\x21-\x7e]+$/, { error: "Token must be printable characters without spaces." });

const HostSchema = z
  .string({ error: "SMTP host is required." })
  .trim()
  .min(1, { error: "SMTP host is required." })
  .max(253, { error: "SMTP host must be at most 253 characters long." })
  .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: "SMTP host must be a host name or an IP address, e.g. smtp.example.com." });

const RecipientsSchema = z
  .string({ error: "Recipients are required." })
  .transform((s) => s.split(/[\s,;]+/).filter(Boolean))
  .pipe(
    z
      .array(z.email({ error: "Each recipient must be an e-mail address." }))
      .min(1, { error: "Give at least one recipient." })
      .max(20, { error: "At most 20 recipients." }),
  );

export interface StoredSecrets {
  url?: boolean;
  password?: boolean;
}

/** Channel input; `stored` says which secrets are already saved (and may be left empty). */
export function makeChannelInputSchema(stored: StoredSecrets = {}) {
  const webhook = z
    .object({
      type: z.literal("webhook"),
      ...common,
      preset: z.enum(WEBHOOK_PRESETS, { error: `Body must be one of ${WEBHOOK_PRESETS.join(", ")}.` }),
      url: optional(HttpUrlSchema),
      token: optional(TokenSchema),
      clearToken: checkbox,
    })
    .superRefine((v, ctx) => {
      if (!v.url && !stored.url) ctx.addIssue({ code: "custom", path: ["url"], message: "URL is required." });
      if (v.url && v.preset === "ntfy" && !splitNtfyUrl(v.url)) {
        ctx.addIssue({ code: "custom", path: ["url"], message: "An ntfy URL ends with the topic, e.g. https://ntfy.sh/my-topic." });
      }
    });
  const email = z
    .object({
      type: z.literal("email"),
      ...common,
      host: HostSchema,
      port: intIn(1, 65535, "SMTP port must be a whole number from 1 to 65535 (587 for STARTTLS, 465 for TLS)."),
      security: z.enum(SMTP_SECURITY, { error: "Security must be STARTTLS, TLS or none." }),
      username: optional(z.string().trim().max(256, { error: "User name must be at most 256 characters long." })),
      password: optional(z.string().max(1024, { error: "Password must be at most 1024 characters long." })),
      clearPassword: checkbox,
      from: z.string({ error: "From is required." }).trim().pipe(z.email({ error: "From must be an e-mail address, e.g. sesame@example.com." })),
      to: RecipientsSchema,
    })
    .superRefine((v, ctx) => {
      if (v.username && !v.password && (!stored.password || v.clearPassword)) {
        ctx.addIssue({ code: "custom", path: ["password"], message: "Password is required with a user name." });
      }
    });
  return z.discriminatedUnion("type", [webhook, email], { error: "Type must be webhook or email." });
}

export const ChannelInputSchema = makeChannelInputSchema();
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** What a channel stores besides its secrets (shown in the UI). */
export type ChannelConfig =
  | { type: "webhook"; preset: (typeof WEBHOOK_PRESETS)[number]; urlHint: string }
  | { type: "email"; host: string; port: number; security: SmtpSecurity; username: string | null; from: string; to: string[] };

/** Secrets: only the server and the receiving end ever see them. */
export interface ChannelSecrets {
  url?: string;
  token?: string;
  password?: string;
}

/**
 * A webhook URL as the UI shows it once saved: scheme, host and port, the
 * rest elided (Slack and ntfy put the secret in the path).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hasMore = u.pathname.length > 1 || u.search !== "";
    return `${u.protocol}//${u.host}${hasMore ? "/…" : "/"}`;
  } catch {
    return "(invalid URL)";
  }
}
