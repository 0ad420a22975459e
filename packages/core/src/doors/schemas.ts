/**
 * zod schemas for doors, shared by the web forms, the server actions and the
 * worker, so every side accepts and rejects the same input. Every message is
 * a sentence naming the field; zod's `path` says where it belongs in a form.
 */
import { z } from "zod";
import { normalizeIp } from "../net/ip";
import { MAX_BAN_SEC, MAX_GRANT_SEC } from "../settings/limits";
import type { TcpFlag } from "../types";
import { bool, intIn, optional } from "../web/form-fields";

const TCP_FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg"] as const satisfies readonly TcpFlag[];

export const PORT_MESSAGE = "Port must be a whole number from 1 to 65535.";

export const StepSchema = z.object({
  port: intIn(1, 65535, PORT_MESSAGE),
  protocol: z.enum(["tcp", "udp"], { error: "Protocol must be tcp or udp." }).default("tcp"),
});
export type StepInput = z.infer<typeof StepSchema>;

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** The door name SPA grants and events carry (the worker's SPA recognizer is no door of the doors table). */
export const SPA_DOOR_NAME = "SPA";

/** A door name is also a knockd.conf section name and a log-line field. */
export const DoorNameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, { error: "Name is required." })
  .max(64, { error: "Name must be at most 64 characters long." })
  .regex(NAME_PATTERN, { error: "Name may only contain letters, digits, '.', '-' and '_' (no spaces)." })
  .refine((n) => n !== "options", { error: 'Name cannot be "options": knockd reserves that section.' })
  .refine((n) => n.toUpperCase() !== SPA_DOOR_NAME, { error: `Name cannot be "${SPA_DOOR_NAME}": SPA grants and events go by that name.` });

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
