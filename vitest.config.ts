import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure, fast, parallel) and `net` (root, real pcap and
// nftables inside network namespaces the tests create; run one file at a time).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/worker/src/**/*.test.ts", "apps/web/src/server/**/*.test.ts", "apps/web/src/lib/**/*.test.ts"],
          environment: "node",
        },
        // The web app's server modules import "server-only", which throws outside a React
        // server build; its "react-server" export (empty.js) is what Next resolves there.
        resolve: {
          alias: {
            "@/": fileURLToPath(new URL("./apps/web/src/", import.meta.url)),
            "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
          },
        },
      },
      {
        test: {
          name: "net",
          include: ["tests/net/**/*.test.ts", "packages/*/test/**/*.net.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
        // As for unit: a net test may drive the web app's server modules (e.g. the access.conf import).
        resolve: {
          alias: {
            "@/": fileURLToPath(new URL("./apps/web/src/", import.meta.url)),
            "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
          },
        },
      },
    ],
  },
});
