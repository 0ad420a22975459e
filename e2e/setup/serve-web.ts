/**
 * Playwright's webServer: a fresh temp database (migrated), a fresh secrets
 * directory, then the built admin UI through its launcher. Runs in the root
 * namespace; the worker (in a test namespace) opens the same database file.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "@sesame/db";
import { ADMIN_PASSWORD, DB_PATH, E2E_DIR, E2E_PORT, REPO_ROOT, SECRETS_DIR, TLS_ENV } from "../helpers/env";

rmSync(E2E_DIR, { recursive: true, force: true });
mkdirSync(E2E_DIR, { recursive: true });
openDb(DB_PATH, { migrate: true }).$client.close();

const child = spawn(process.execPath, [join(REPO_ROOT, "apps/web/server.mjs")], {
  cwd: join(REPO_ROOT, "apps/web"),
  stdio: "inherit",
  env: {
    ...process.env,
    NODE_ENV: "production",
    SESAME_DB: DB_PATH,
    SESAME_SECRETS_DIR: SECRETS_DIR,
    SESAME_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...TLS_ENV,
    // The specs simulate other client addresses with X-Forwarded-For.
    SESAME_TRUST_PROXY: "1",
    PORT: String(E2E_PORT),
    HOSTNAME: "127.0.0.1",
  },
});
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
