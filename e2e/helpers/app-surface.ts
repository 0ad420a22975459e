import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { REPO_ROOT } from "./env";

const APP_DIR = join(REPO_ROOT, "apps/web/src/app");
const SERVER_DIR = join(REPO_ROOT, "apps/web/src/server");

/** Reachable without a session on purpose (each still checks what it must). */
export const PUBLIC_PAGES = new Set(["/login", "/setup"]);
/** /metrics: a bearer token, or loopback while none is set (e2e/api/metrics.spec.ts). */
export const PUBLIC_ROUTES = new Set(["/api/auth/login", "/api/health", "/metrics"]);
export const PUBLIC_ACTIONS = new Set(["loginAction", "setupAction"]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** app/(app)/sequences/[id]/page.tsx → /sequences/1 */
function toUrl(file: string): string {
  const segments = relative(APP_DIR, file).split(sep).slice(0, -1);
  const path = segments
    .filter((s) => !(s.startsWith("(") && s.endsWith(")")))
    .map((s) => (s.startsWith("[") ? "1" : s))
    .join("/");
  return `/${path}`;
}

export interface PageFile {
  file: string;
  url: string;
  source: string;
}

export interface RouteFile extends PageFile {
  methods: string[];
}

export function listPages(): PageFile[] {
  return walk(APP_DIR)
    .filter((f) => /\/page\.tsx?$/.test(f))
    .map((file) => ({ file, url: toUrl(file), source: readFileSync(file, "utf8") }));
}

export function listRoutes(): RouteFile[] {
  return walk(APP_DIR)
    .filter((f) => /\/route\.tsx?$/.test(f))
    .map((file) => {
      const source = readFileSync(file, "utf8");
      const methods = [...source.matchAll(/export\s+(?:(?:async\s+)?function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((m) => m[1]!);
      return { file, url: toUrl(file), source, methods };
    });
}

export interface ActionExport {
  file: string;
  name: string;
  body: string;
}

/** Every exported function of every "use server" module under src/server. */
export function listServerActions(): ActionExport[] {
  const out: ActionExport[] = [];
  for (const file of walk(SERVER_DIR)) {
    if (!/\.tsx?$/.test(file)) continue;
    const source = readFileSync(file, "utf8");
    if (!/^\s*["']use server["'];?/m.test(source.split("\n").find((l) => l.trim() !== "") ?? "")) continue;
    const matches = [...source.matchAll(/export\s+async\s+function\s+(\w+)\s*\(/g)];
    matches.forEach((m, i) => {
      const end = i + 1 < matches.length ? matches[i + 1]!.index : source.length;
      out.push({ file: relative(REPO_ROOT, file), name: m[1]!, body: source.slice(m.index, end) });
    });
    if (/export\s+(const|let|default)\b/.test(source)) throw new Error(`${file}: server actions must be exported as async functions`);
  }
  return out;
}

export interface ManifestAction {
  id: string;
  name: string;
  file: string;
}

/** Server actions as the build registered them (ids for the Next-Action header). */
export function listBuiltActions(): ManifestAction[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "apps/web/.next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  return Object.entries(manifest.node).map(([id, v]) => ({ id, name: v.exportedName ?? "?", file: v.filename ?? "?" }));
}
