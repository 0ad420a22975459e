import { join } from "node:path";

/** Paths and secrets shared by the e2e web server, the worker and the specs. */
export const E2E_DIR = process.env.SESAME_E2E_DIR ?? "/tmp/sesame-e2e";
export const E2E_PORT = Number(process.env.SESAME_E2E_PORT ?? 3300);
export const DB_PATH = join(E2E_DIR, "sesame.db");
export const SECRETS_DIR = join(E2E_DIR, "secrets");
export const ADMIN_PASSWORD = "e2e-correct-horse-battery";
export const BASE_URL = `https://127.0.0.1:${E2E_PORT}`;
/** The app's certificate and key (playwright.config.ts makes them). */
export const TLS_ENV = { SESAME_TLS_CERT: process.env.SESAME_E2E_TLS_CERT ?? "", SESAME_TLS_KEY: process.env.SESAME_E2E_TLS_KEY ?? "" };
export const REPO_ROOT = join(import.meta.dirname, "../..");
