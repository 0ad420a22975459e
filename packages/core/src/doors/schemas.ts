/**
 * zod schemas shared by the web forms, the server actions and the worker, so
 * every side accepts and rejects the same input. Every message is a sentence
 * naming the field; zod's `path` says where it belongs in a form.
 */
import { z } from "zod";
import { MAX_ATTEMPT_CAP, MIN_ATTEMPT_CAP } from "../settings/attempt-memory";
import { normalizeIp } from "../net/ip";
import { parseCidr } from "../net/cidr";
import { MAX_BAN_SEC, MAX_GRANT_SEC } from "../settings/limits";
import { parseNetwork } from "../net/network";
import { EVENT_KINDS } from "../types";
import { DEFAULT_TOTP_SETTINGS, TotpSettingsSchema } from "../totp/sequence";
import type { TcpFlag } from "../types";

const TCP_FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg"] as const satisfies readonly TcpFlag[];

/** "" and null (empty form fields, missing search params) mean "not given". */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());
}

/** Whole numbers in [min, max]; numeric strings (form fields, search params) are accepted. */
function intIn(min: number, max: number, message: string) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.int({ error: message }).min(min, { error: message }).max(max, { error: message }),
  );
}

/** "true"/"on"/"1" from forms and search params count as true; "false"/"off"/"0" as false. */
function bool(message: string) {
  return z.preprocess((v) => {
    if (v === "true" || v === "on" || v === "1") return true;
    if (v === "false" || v === "off" || v === "0") return false;
    return v;
  }, z.boolean({ error: message }));
}

/**
 * Linux interface names (the kernel's dev_valid_name): 1 to 15 bytes, not
 * "." or "..", no "/", ":" or whitespace.
 */
export function isValidInterfaceName(name: string): boolean {
  return (
    typeof name === "string" &&
    name.length >= 1 &&
    new TextEncoder().encode(name).length <= 15 &&
    name !== "." &&
    name !== ".." &&
    !/[/:\s]/.test(name)
  );
}

export const PORT_MESSAGE = "Port must be a whole number from 1 to 65535.";

export const StepSchema = z.object({
  port: intIn(1, 65535, PORT_MESSAGE),
  protocol: z.enum(["tcp", "udp"], { error: "Protocol must be tcp or udp." }).default("tcp"),
});
export type StepInput = z.infer<typeof StepSchema>;

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** A door name is also a knockd.conf section name and a log-line field. */
export const DoorNameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, { error: "Name is required." })
  .max(64, { error: "Name must be at most 64 characters long." })
  .regex(NAME_PATTERN, { error: "Name may only contain letters, digits, '.', '-' and '_' (no spaces)." })
  .refine((n) => n !== "options", { error: 'Name cannot be "options": knockd reserves that section.' });

const FlagListSchema = z
  .array(z.enum(TCP_FLAGS, { error: "TCP flags must be among fin, syn, rst, psh, ack and urg." }), {
    error: "TCP flags must be a list.",
  })
  .transform((flags) => [...new Set(flags)]);

export const TcpFlagRuleSchema = z
  .object(
    { set: FlagListSchema.default([]), clear: FlagListSchema.default([]) },
    { error: "TCP flags must list the flags that must be set and those that must be clear." },
  )
  .superRefine((rule, ctx) => {
    for (const f of rule.set) {
      if (rule.clear.includes(f)) {
        ctx.addIssue({ code: "custom", message: `TCP flag ${f} cannot be both required and forbidden.`, path: ["clear"] });
      }
    }
  });

const TargetSchema = optional(
  z
    .string({ error: "Target must be an IPv4 or IPv6 address." })
    .trim()
    .refine((s) => normalizeIp(s) !== null, { error: "Target must be an IPv4 or IPv6 address." })
    .transform((s) => normalizeIp(s) as string),
);

const OpenActionSchema = z.object({
  kind: z.literal("open"),
  ports: z
    .array(StepSchema, { error: "Ports to open are required." })
    .min(1, { error: "Choose at least one port to open." })
    .max(16, { error: "A door opens at most 16 ports." })
    .superRefine((ports, ctx) => {
      const seen = new Set<string>();
      ports.forEach((p, i) => {
        const key = `${p.protocol}/${p.port}`;
        if (seen.has(key)) ctx.addIssue({ code: "custom", message: `Port ${key} is listed twice.`, path: [i] });
        seen.add(key);
      });
    }),
  durationSec: intIn(1, MAX_GRANT_SEC, "Open duration must be a whole number of seconds from 1 to 86400 (one day)."),
});

const CloseActionSchema = z.object({
  kind: z.literal("close"),
  doorName: optional(
    z
      .string({ error: "The door to close must be a door name." })
      .trim()
      .max(64, { error: "The door to close must be a door name of at most 64 characters." }),
  ),
});

const BanActionSchema = z.object({
  kind: z.literal("ban"),
  durationSec: intIn(1, MAX_BAN_SEC, "Ban duration must be a whole number of seconds from 1 to 31536000 (one year)."),
});

/** What a UI door does. "command" is deliberately absent: commands only come from a root-owned knockd.conf. */
export const DoorActionInputSchema = z.discriminatedUnion("kind", [OpenActionSchema, CloseActionSchema, BanActionSchema], {
  error: "Action must be open, close or ban.",
});

export const DoorInputSchema = z.object({
  name: DoorNameSchema,
  steps: z
    .array(StepSchema, { error: "The knock sequence is required." })
    .min(1, { error: "The knock sequence needs at least one knock." })
    .max(32, { error: "The knock sequence has at most 32 knocks." }),
  seqTimeoutSec: intIn(1, 3600, "Sequence timeout must be a whole number of seconds from 1 to 3600.").default(25),
  tcpFlags: TcpFlagRuleSchema.default({ set: [], clear: [] }),
  target: TargetSchema,
  action: DoorActionInputSchema,
  cooldownSec: intIn(0, 86_400, "Cooldown must be a whole number of seconds from 0 to 86400.").default(0),
  tolerateDuplicates: bool("Tolerate duplicates must be yes or no.").default(false),
  enabled: bool("Enabled must be yes or no.").default(true),
});
export type DoorInput = z.infer<typeof DoorInputSchema>;
/** What a form may send (defaults not yet applied). */
export type DoorInputDraft = z.input<typeof DoorInputSchema>;

/** Milliseconds since the epoch, or an ISO date string. */
function parseTime(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function timeSchema(message: string) {
  return z.preprocess((v) => parseTime(v) ?? v, z.number({ error: message }).int({ error: message }).min(0, { error: message }));
}

/** Trusted networks with the clock injected (expiry must lie in the future). */
export function makeTrustedNetworkInputSchema(now: () => number) {
  return z.object({
    cidr: z
      .string({ error: "Network is required." })
      .transform((s, ctx) => {
        const r = parseNetwork(s);
        if (r.ok) return r.cidr.text;
        ctx.addIssue({ code: "custom", message: `Network: ${r.reason}` });
        return z.NEVER;
      }),
    comment: z
      .string({ error: "Comment must be text." })
      .trim()
      .max(200, { error: "Comment must be at most 200 characters long." })
      .default(""),
    expiresAt: optional(
      timeSchema("Expiry must be a date.").refine((ms) => ms > now(), { error: "Expiry must be in the future." }),
    ),
  });
}

export const TrustedNetworkInputSchema = makeTrustedNetworkInputSchema(() => Date.now());
export type TrustedNetworkInput = z.infer<typeof TrustedNetworkInputSchema>;

/**
 * Settings with the machine's attempt cap limit injected (computeAttemptCapLimit
 * of its total memory): the form, the server action and the worker agree on it.
 */
export function makeSettingsInputSchema(opts: { attemptCapLimit: number }) {
  const limit = Math.max(MIN_ATTEMPT_CAP, Math.min(MAX_ATTEMPT_CAP, Math.floor(opts.attemptCapLimit)));
  return z.object({
    interfaces: z
      .array(
        z
          .string({ error: "Interface names must be text." })
          .trim()
          .refine(isValidInterfaceName, {
            error: "Interface names are 1 to 15 characters without spaces, '/' or ':' (for example eth0).",
          }),
        { error: "Interfaces must be a list of interface names." },
      )
      .max(32, { error: "At most 32 interfaces can be listed." })
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((name, i) => {
          if (seen.has(name)) ctx.addIssue({ code: "custom", message: `Interface ${name} is listed twice.`, path: [i] });
          seen.add(name);
        });
      }),
    backend: z.enum(["nftables", "iptables"], { error: "Firewall backend must be nftables or iptables." }),
    retentionDays: intIn(1, 3650, "Retention must be a whole number of days from 1 to 3650."),
    maxAttempts: intIn(
      MIN_ATTEMPT_CAP,
      limit,
      `Maximum pending attempts must be a whole number from ${MIN_ATTEMPT_CAP} to ${limit}` +
        (limit < MAX_ATTEMPT_CAP ? ` (this machine's memory allows no more).` : "."),
    ),
    /** Rotating (TOTP) knock sequences: the port range, length and protocols every user's sequence is drawn from. */
    totp: TotpSettingsSchema.default(DEFAULT_TOTP_SETTINGS),
  });
}

/** The settings schema at the absolute ceiling; the web app uses makeSettingsInputSchema with its machine's limit. */
export const SettingsInputSchema = makeSettingsInputSchema({ attemptCapLimit: MAX_ATTEMPT_CAP });
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

export const HistoryFilterSchema = z
  .object({
    ip: optional(
      z
        .string({ error: "IP filter must be an address or a network such as 10.0.0.0/24." })
        .trim()
        .transform((s, ctx) => {
          if (!s.includes("/")) {
            const ip = normalizeIp(s);
            if (ip) return ip;
          } else {
            const r = parseCidr(s);
            if (r.ok) return r.cidr.text;
          }
          ctx.addIssue({ code: "custom", message: "IP filter must be an address or a network such as 10.0.0.0/24." });
          return z.NEVER;
        }),
    ),
    door: optional(
      z.string({ error: "Door filter must be a door name." }).trim().max(64, { error: "Door filter must be at most 64 characters long." }),
    ),
    kind: optional(z.enum(EVENT_KINDS, { error: `Event kind must be one of: ${EVENT_KINDS.join(", ")}.` })),
    from: optional(timeSchema("'From' must be a date.")),
    to: optional(timeSchema("'To' must be a date.")),
    page: intIn(1, 1_000_000, "Page must be a whole number of at least 1.").default(1),
    pageSize: intIn(10, 500, "Page size must be a whole number from 10 to 500.").default(50),
  })
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && f.from > f.to) {
      ctx.addIssue({ code: "custom", message: "'From' must not be later than 'To'.", path: ["to"] });
    }
  });
export type HistoryFilter = z.infer<typeof HistoryFilterSchema>;

export const LoginSchema = z.object({
  password: z
    .string({ error: "Password is required." })
    .min(1, { error: "Password is required." })
    .max(200, { error: "Password must be at most 200 characters long." }),
});
export type LoginInput = z.infer<typeof LoginSchema>;

export const ChangePasswordSchema = z
  .object({
    current: z
      .string({ error: "Current password is required." })
      .min(1, { error: "Current password is required." })
      .max(200, { error: "Current password must be at most 200 characters long." }),
    next: z
      .string({ error: "New password is required." })
      .min(12, { error: "New password must be at least 12 characters long." })
      .max(200, { error: "New password must be at most 200 characters long." }),
    confirm: z.string({ error: "Please repeat the new password." }),
  })
  .superRefine((v, ctx) => {
    if (v.confirm !== v.next) {
      ctx.addIssue({ code: "custom", message: "The confirmation does not match the new password.", path: ["confirm"] });
    }
    if (v.next === v.current) {
      ctx.addIssue({ code: "custom", message: "New password must differ from the current password.", path: ["next"] });
    }
  });
export type ChangePasswordInput = z.infer<typeof ChangePasswordSchema>;

/** Field path → first message, for forms (`steps.1.port` style keys; "" for the whole object). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

export * from "./row";
