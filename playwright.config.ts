import { defineConfig } from "@playwright/test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestCertificate } from "./e2e/helpers/tls";

/**
 * End-to-end suite: the real built admin UI (apps/web, `next build` then the
 * server.mjs launcher around `next start`) on a temporary database created
 * and migrated by e2e/setup/serve-web.ts, with Debian's chromium. Two
 * projects: `api` (HTTP only) and `ui` (browser), run serially because they
 * share one database and the network-namespace specs start the real worker.
 */

// Decided once in the runner; workers inherit it through the environment.
process.env.SESAME_E2E_DIR ??= join(tmpdir(), `sesame-e2e-${process.pid}`);
process.env.SESAME_E2E_PORT ??= String(3300 + (process.pid % 500));
const dir = process.env.SESAME_E2E_DIR;
const port = Number(process.env.SESAME_E2E_PORT);
export const baseURL = `https://127.0.0.1:${port}`;
// HTTPS like the appliance: the app's certificate, trusted by the specs' own fetches (workers inherit this).
const tls = ensureTestCertificate(`${dir}-tls`);
process.env.SESAME_E2E_TLS_CERT = tls.cert;
process.env.SESAME_E2E_TLS_KEY = tls.key;
process.env.NODE_EXTRA_CA_CERTS = tls.cert;

const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  },
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  globalTeardown: "./e2e/setup/teardown.ts",
  use: {
    baseURL,
    ignoreHTTPSErrors: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    ...chromium,
  },
  projects: [
    { name: "api", testMatch: "api/**/*.spec.ts" },
    { name: "ui", testMatch: "ui/**/*.spec.ts", dependencies: ["api"], use: { viewport: { width: 1280, height: 860 } } },
  ],
  webServer: {
    command: process.env.SESAME_E2E_SKIP_BUILD
      ? "node --import tsx e2e/setup/serve-web.ts"
      : "npm run build -w @sesame/web --silent && node --import tsx e2e/setup/serve-web.ts",
    url: `${baseURL}/api/health`,
    ignoreHTTPSErrors: true,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      SESAME_E2E_DIR: dir,
      SESAME_E2E_PORT: String(port),
      SESAME_E2E_TLS_CERT: tls.cert,
      SESAME_E2E_TLS_KEY: tls.key,
    },
  },
});
