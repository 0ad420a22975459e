import { z } from "zod";
import { isValidInterfaceName } from "../net/interface-name";
import { DEFAULT_TOTP_SETTINGS, TotpSettingsSchema } from "../totp/sequence";
import { intIn } from "../web/form-fields";
import { MAX_ATTEMPT_CAP, MIN_ATTEMPT_CAP } from "./attempt-memory";

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
    /** The worker's events also go to syslog as key=value lines (knockd's UseSyslog, for log pipelines). */
    syslog: z.boolean({ error: "Send events to syslog must be on or off." }),
    /** The UDP port SPA packets are captured on (fwknop's 62201 by default). */
    spaPort: intIn(1, 65535, "SPA port must be a whole number from 1 to 65535.").optional(),
    /** Rotating (TOTP) knock sequences: the port range, length and protocols every user's sequence is drawn from. */
    totp: TotpSettingsSchema.default(DEFAULT_TOTP_SETTINGS),
  });
}

/** The settings schema at the absolute ceiling; the web app uses makeSettingsInputSchema with its machine's limit. */
export const SettingsInputSchema = makeSettingsInputSchema({ attemptCapLimit: MAX_ATTEMPT_CAP });
export type SettingsInput = z.infer<typeof SettingsInputSchema>;
