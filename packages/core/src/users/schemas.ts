/**
 * What a user is, as the Users page edits it and the server checks it: one
 * schema for the form, the server action and (through the stored shape) the
 * worker. Messages name the field.
 */
import { z } from "zod";
import { parseSequence } from "../knockd/sequence";
import { parseNetwork } from "../net/network";
import { MAX_GRANT_SEC } from "../settings/limits";
import type { Step } from "../types";

const NAME_MESSAGE = "Name may only contain letters, digits, '.', '-' and '_' (1 to 64 characters).";

/** A user name is also an fwknop stanza name, a log-line field and the `totp:<name>` of their grants. */
export const UserNameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, { error: "Name is required." })
  .max(64, { error: NAME_MESSAGE })
  .regex(/^[A-Za-z0-9_.-]+$/, { error: NAME_MESSAGE });

/** "22, 443, 53:udp" → steps (at least one, at most 16, no repeats). */
const PortsTextSchema = z.string({ error: "Ports are required." }).transform((text, ctx): Step[] => {
  if (text.trim() === "") {
    ctx.addIssue({ code: "custom", message: "Give at least one port the user may open (e.g. 22 or 22, 53:udp)." });
    return z.NEVER;
  }
  const r = parseSequence(text);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: `Ports: ${r.reason}.` });
    return z.NEVER;
  }
  const keys = r.steps.map((s) => `${s.protocol}/${s.port}`);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) {
    ctx.addIssue({ code: "custom", message: `Port ${dup} is listed twice.` });
    return z.NEVER;
  }
  if (r.steps.length > 16) {
    ctx.addIssue({ code: "custom", message: "A user opens at most 16 ports." });
    return z.NEVER;
  }
  return r.steps;
});

/** "10.0.0.0/8 2001:db8::/32" (spaces, commas or lines) → canonical CIDRs; empty = any source. */
const SourcesTextSchema = z.string({ error: "Sources must be text." }).transform((text, ctx): string[] => {
  const out: string[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const n = parseNetwork(item);
    if (!n.ok) {
      ctx.addIssue({ code: "custom", message: `Source ${item}: ${n.reason}` });
      return z.NEVER;
    }
    if (!out.includes(n.cidr.text)) out.push(n.cidr.text);
  }
  if (out.length > 64) {
    ctx.addIssue({ code: "custom", message: "At most 64 source networks." });
    return z.NEVER;
  }
  return out;
});

function seconds(label: string) {
  const message = `${label} must be a whole number of seconds from 1 to ${MAX_GRANT_SEC} (one day).`;
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.int({ error: message }).min(1, { error: message }).max(MAX_GRANT_SEC, { error: message }),
  );
}

/** The Users form, with the clock injected (an expiry must lie in the future when it is set). */
export function makeUserInputSchema(now: () => number) {
  return z
    .object({
      name: UserNameSchema,
      comment: z.string({ error: "Comment must be text." }).trim().max(200, { error: "Comment must be at most 200 characters long." }).default(""),
      enabled: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
      expiresAt: z.preprocess(
        (v) => (v === "" || v === null || v === undefined ? undefined : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : typeof v === "string" ? Date.parse(v) : v),
        z.number({ error: "Expiry must be a date." }).int({ error: "Expiry must be a date." }).refine((ms) => ms > now(), { error: "Expiry must be in the future." }).optional(),
      ),
      sources: SourcesTextSchema.default([]),
      ports: PortsTextSchema,
      grantSec: seconds("Grant length"),
      maxGrantSec: seconds("Longest grant"),
      /** fwknopd's REQUIRE_SOURCE_ADDRESS: the SPA message must name the address it comes from (no `-s` / 0.0.0.0). */
      requireSourceAddress: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
    })
    .superRefine((u, ctx) => {
      if (u.grantSec > u.maxGrantSec) ctx.addIssue({ code: "custom", message: "Grant length must not exceed the longest grant.", path: ["grantSec"] });
    });
}
export type UserInput = z.infer<ReturnType<typeof makeUserInputSchema>>;

/** Generating a credential: its kind, and for a rotation how long the old one keeps working. */
export const CredentialRequestSchema = z.object({
  userId: z.coerce.number({ error: "Unknown user." }).int({ error: "Unknown user." }).positive({ error: "Unknown user." }),
  kind: z.enum(["totp", "spa"], { error: "Credential kind must be totp or spa." }),
  graceMinutes: z.preprocess(
    (v) => (v === "" || v === undefined || v === null ? 0 : typeof v === "string" ? Number(v) : v),
    z.int({ error: "Grace period must be a whole number of minutes from 0 to 10080 (a week)." }).min(0, { error: "Grace period must be a whole number of minutes from 0 to 10080 (a week)." }).max(10_080, { error: "Grace period must be a whole number of minutes from 0 to 10080 (a week)." }),
  ),
});
export type CredentialRequest = z.infer<typeof CredentialRequestSchema>;
