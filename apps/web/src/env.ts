import { isAbsolute } from "node:path";
import { z } from "zod";

/** Empty strings (e.g. `SESAME_ADMIN_PASSWORD=` from a unit file) mean "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const booleanFlag = z.enum(["1", "0", "true", "false", "yes", "no"]).transform((v) => ["1", "true", "yes"].includes(v));

const EnvSchema = z.object({
  SESAME_DB: optional(
    z.string().refine((p) => isAbsolute(p), { message: "must be an absolute path so web and worker share one file" }),
  ).transform((p) => p ?? "/var/lib/sesame/sesame.db"),
  SESAME_ADMIN_PASSWORD: optional(z.string().min(12, "must be at least 12 characters")),
  SESAME_SECRETS_DIR: optional(
    z.string().refine((p) => isAbsolute(p), { message: "must be an absolute path" }),
  ).transform((p) => p ?? "/var/lib/sesame/web"),
  /** "auto" (Secure when the request came over HTTPS), or force on/off. */
  SESAME_SECURE_COOKIES: optional(z.enum(["auto", "1", "0", "true", "false"])).transform((v) =>
    v === undefined || v === "auto" ? ("auto" as const) : v === "1" || v === "true",
  ),
  /** Behind a reverse proxy: take the client address from the proxy's X-Forwarded-For entry. */
  SESAME_TRUST_PROXY: optional(booleanFlag).transform((v) => v ?? false),
  /** Hours a login lasts. */
  SESAME_SESSION_HOURS: optional(z.coerce.number().min(0.01).max(24 * 30)).transform((v) => v ?? 12),
  /** Set by server.mjs itself: the x-sesame-peer header is ours (never set it by hand). */
  SESAME_LAUNCHER: optional(z.literal("1")).transform((v) => v === "1"),
  /** Set by server.mjs when it serves HTTPS itself (links it prints say https). */
  SESAME_LAUNCHER_TLS: optional(z.literal("1")).transform((v) => v === "1"),
  PORT: optional(z.coerce.number().int().min(1).max(65535)).transform((v) => v ?? 3000),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** The web app's environment, parsed once; a bad value stops the server with a clear message. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment for the Sesame web UI:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
