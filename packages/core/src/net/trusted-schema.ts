import { z } from "zod";
import { parseNetwork } from "./network";
import { optional, timeSchema } from "../web/form-fields";

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
