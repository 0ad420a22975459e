import { isAbsolute } from "node:path";
import { z } from "zod";

/**
 * The worker's environment, parsed once at start. Only the database path is
 * configurable this way (the web app reads the same variable, so both agree
 * on one file); everything else is a command-line flag like knockd's.
 */
const EnvSchema = z.object({
  SESAME_DB: z
    .string()
    .trim()
    .min(1)
    .refine((p) => isAbsolute(p), { message: "must be an absolute path (the web app and the worker must open the same file)" })
    .optional(),
  /** Set by `-d` on the detached child it re-spawns; not for users. */
  SESAME_WORKER_DETACHED: z.enum(["1"]).optional(),
});

export type WorkerEnv = z.infer<typeof EnvSchema>;

export type ParseEnvResult = { ok: true; env: WorkerEnv } | { ok: false; message: string };

/** Validates the variables the worker uses; the message names the variable and what was expected. */
export function parseEnv(source: NodeJS.ProcessEnv): ParseEnvResult {
  const r = EnvSchema.safeParse({ SESAME_DB: source.SESAME_DB || undefined, SESAME_WORKER_DETACHED: source.SESAME_WORKER_DETACHED || undefined });
  if (r.success) return { ok: true, env: r.data };
  const issue = r.error.issues[0];
  return { ok: false, message: `environment: ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}` };
}
