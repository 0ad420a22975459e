import { z } from "zod";
import { normalizeIp } from "../net/ip";
import { MAX_BAN_SEC } from "../settings/limits";
import { TrustedNetworkInputSchema } from "../net/trusted-schema";

/**
 * The automation API's scopes and inputs (/api/v1, docs/api/openapi.yaml).
 * A token holds one or more scopes; `read` lists everything, each of the
 * others also allows changing its kind of entry.
 */
export const API_TOKEN_SCOPES = ["read", "grants", "trusted", "bans", "doors"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** How long a token may add a network as trusted: tokens add trusted entries only with an expiry. */
export const API_TRUSTED_MAX_SEC = 30 * 86_400;

export const ApiTokenInputSchema = z.object({
  name: z.string({ error: "Name is required." }).trim().min(1, { error: "Name is required." }).max(64, { error: "Name must be at most 64 characters long." }),
  scopes: z
    .array(z.enum(API_TOKEN_SCOPES, { error: `Scopes are ${API_TOKEN_SCOPES.join(", ")}.` }), { error: "Choose at least one scope." })
    .min(1, { error: "Choose at least one scope." })
    .transform((s) => [...new Set(s)]),
  expiresInDays: z.int({ error: "Expiry must be a whole number of days." }).min(1, { error: "Expiry must be 1 to 365 days." }).max(365, { error: "Expiry must be 1 to 365 days." }).nullable(),
});
export type ApiTokenInput = z.infer<typeof ApiTokenInputSchema>;

export const ApiTrustedInputSchema = z.object({
  cidr: TrustedNetworkInputSchema.shape.cidr,
  comment: TrustedNetworkInputSchema.shape.comment,
  ttlSec: z
    .int({ error: "ttlSec (seconds until the network stops being trusted) is required: a token adds trusted networks only with an expiry." })
    .min(60, { error: "ttlSec must be at least 60." })
    .max(API_TRUSTED_MAX_SEC, { error: `ttlSec must be at most ${API_TRUSTED_MAX_SEC} (30 days).` }),
});
export type ApiTrustedInput = z.infer<typeof ApiTrustedInputSchema>;

export const ApiBanInputSchema = z.object({
  ip: z.string({ error: "ip is required." }).transform((s, ctx) => {
    const ip = normalizeIp(s.trim());
    if (ip) return ip;
    ctx.addIssue({ code: "custom", message: `ip: "${s}" is not an IPv4 or IPv6 address.` });
    return z.NEVER;
  }),
  durationSec: z.int({ error: "durationSec must be a whole number of seconds." }).min(1, { error: "durationSec must be at least 1." }).max(MAX_BAN_SEC, { error: `durationSec must be at most ${MAX_BAN_SEC}.` }),
  reason: z.string().trim().max(200, { error: "reason must be at most 200 characters long." }).default(""),
});
export type ApiBanInput = z.infer<typeof ApiBanInputSchema>;
