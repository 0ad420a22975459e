import type { NextConfig } from "next";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const monorepoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ["@sesame/core", "@sesame/db"],
  // Native addon: load it from node_modules at runtime, never bundle it (nodemailer: Node's own
  // modules throughout; loaded as is rather than bundled).
  serverExternalPackages: ["better-sqlite3", "nodemailer"],
  turbopack: { root: monorepoRoot },
  // A self-contained copy (server + the node_modules it needs) that start.sh installs outside the
  // checkout, so the unprivileged web user never needs to read the clone (which may be under /root).
  output: "standalone",
  outputFileTracingRoot: monorepoRoot,
  poweredByHeader: false,
  // The admin UI is never embedded in a frame (clickjacking) and never sniffed.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
