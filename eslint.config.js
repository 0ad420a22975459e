import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "drizzle/**", "**/next-env.d.ts", "test-results/**", "playwright-report/**", "bench/out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["apps/web/**"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [
          { name: "node:child_process", message: "The web app never runs a shell command." },
          { name: "child_process", message: "The web app never runs a shell command." },
          { name: "@sesame/firewall", message: "Only the worker touches the firewall." },
        ],
      }],
    },
  },
  {
    files: ["packages/core/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:fs", "node:child_process", "node:net", "node:dgram", "fs", "child_process", "@sesame/db", "@sesame/firewall"], message: "core is pure: no I/O." }] }],
    },
  },
);
