import "server-only";
import { randomBytes } from "node:crypto";
import { getEnv } from "@/env";
import { setAdminPassword } from "./auth";
import { getDb } from "./db";
import { startMaintenance } from "./maintenance";
import { startNotifications } from "./notify";
import { hashToken, loadSecrets, SETUP_TOKEN_TTL_MS, updateSecrets } from "./secrets";

/**
 * Runs once when the server starts (instrumentation.ts): fail fast on bad
 * env or an unmigrated database, create the secrets file, and make sure an
 * admin can get in — from SESAME_ADMIN_PASSWORD, or through a one-time setup
 * link printed here (there is no default password); start the notifier.
 */
export async function initializeWeb(): Promise<void> {
  const env = getEnv();
  getDb();
  const secrets = loadSecrets();
  if (!secrets.admin) {
    if (env.SESAME_ADMIN_PASSWORD) {
      await setAdminPassword(env.SESAME_ADMIN_PASSWORD);
      console.log("sesame: admin password set from SESAME_ADMIN_PASSWORD (you can unset it now)");
    } else {
      const token = randomBytes(24).toString("base64url");
      updateSecrets((s) => ({ ...s, setup: { tokenHash: hashToken(token), createdAt: Date.now() } }));
      const host = process.env.HOSTNAME && process.env.HOSTNAME !== "0.0.0.0" ? process.env.HOSTNAME : "localhost";
      console.log(
        `sesame: no admin password yet. Open this one-time link within ${SETUP_TOKEN_TTL_MS / 60_000} minutes to set it (use the appliance's address if not local; restart for a new link):\n` +
          `  ${env.SESAME_LAUNCHER_TLS ? "https" : "http"}://${host}:${env.PORT}/setup?token=${token}`,
      );
    }
  }
  startMaintenance();
  startNotifications();
}
