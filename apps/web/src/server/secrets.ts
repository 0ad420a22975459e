import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { getEnv } from "@/env";

const SecretsSchema = z.object({
  version: z.literal(1),
  /** iron-session sealing key (hex of 32 random bytes). */
  sessionKey: z.string().min(64),
  admin: z.object({ hash: z.string(), changedAt: z.number() }).nullable(),
  /** One-time setup link, stored hashed; null once the admin exists. */
  setup: z.object({ tokenHash: z.string(), createdAt: z.number() }).nullable(),
  /** Sessions issued before this instant are void (password change = sign out everywhere). */
  sessionsValidAfter: z.number(),
});
export type Secrets = z.infer<typeof SecretsSchema>;

const globalForSecrets = globalThis as unknown as { sesameSecrets?: Secrets };

function secretsPath(): string {
  return join(getEnv().SESAME_SECRETS_DIR, "secrets.json");
}

/**
 * Secrets live outside the repository in a 0600 file (session key, admin
 * hash). Created on first start; the directory is 0700.
 */
export function loadSecrets(): Secrets {
  if (globalForSecrets.sesameSecrets) return globalForSecrets.sesameSecrets;
  const path = secretsPath();
  let secrets: Secrets;
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(path, 0o600);
      console.warn(`sesame: ${path} was readable by others (mode ${mode.toString(8)}); fixed to 0600`);
    }
    const parsed = SecretsSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) throw new Error(`${path} is not a valid Sesame secrets file: ${parsed.error.message}`);
    secrets = parsed.data;
  } else {
    secrets = {
      version: 1,
      sessionKey: randomBytes(32).toString("hex"),
      admin: null,
      setup: null,
      sessionsValidAfter: 0,
    };
    writeSecrets(secrets);
  }
  globalForSecrets.sesameSecrets = secrets;
  return secrets;
}

/** Atomic replace (write temp + rename) so a crash never leaves a half-written key file. */
export function writeSecrets(secrets: Secrets): void {
  const dir = getEnv().SESAME_SECRETS_DIR;
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = secretsPath();
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  globalForSecrets.sesameSecrets = secrets;
}

export function updateSecrets(change: (s: Secrets) => Secrets): Secrets {
  const next = change(loadSecrets());
  writeSecrets(next);
  return next;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** How long a printed setup link works; restarting the server prints a fresh one. */
export const SETUP_TOKEN_TTL_MS = 60 * 60_000;

export type SetupTokenCheck = "valid" | "expired" | "invalid";

/**
 * A presented setup token against the stored one: constant-time hash
 * comparison, then its age (an hour), so a link left in a log or a terminal
 * scroll-back does not stay a way in forever.
 */
export function checkSetupToken(setup: Secrets["setup"], token: string, now: number): SetupTokenCheck {
  if (!setup || !token) return "invalid";
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(setup.tokenHash, "hex");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return "invalid";
  return now - setup.createdAt < SETUP_TOKEN_TTL_MS ? "valid" : "expired";
}

export function readSetupTokenState(token: string, now = Date.now()): SetupTokenCheck {
  return checkSetupToken(loadSecrets().setup, token, now);
}

/** What the setup page and action say about a link that does not work. */
export function describeSetupTokenProblem(state: Exclude<SetupTokenCheck, "valid">): string {
  return state === "expired"
    ? "This setup link has expired (links work for 1 hour). Restart the web server: it prints a new link in its log."
    : "This setup link is invalid or was already used. Restart the web server to print a new one.";
}
