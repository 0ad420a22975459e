import { expect, test, type APIRequestContext } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/env";
import { configVersion, count } from "../helpers/db";
import {
  listBuiltActions,
  listPages,
  listRoutes,
  listServerActions,
  PUBLIC_ACTIONS,
  PUBLIC_PAGES,
  PUBLIC_ROUTES,
} from "../helpers/app-surface";

/**
 * Every page, route handler and server action refuses without a session.
 * The lists come from the source tree and the build manifest, so anything
 * added later is covered without touching this file. Each is tried twice:
 * with no cookie (the proxy turns it away) and with a forged cookie, which
 * gets past the proxy's cheap presence check, so the handler's own
 * requireSession() is what refuses.
 */

const FORGED = { Cookie: "sesame_session=Fe26.2**forged**cookie" };
const NO_COOKIE = {};

for (const [label, headers] of [
  ["no cookie", NO_COOKIE],
  ["forged cookie", FORGED],
] as const) {
  test.describe(`without a session (${label})`, () => {
    test("every page redirects to /login", async ({ request }) => {
      const pages = listPages().filter((p) => !PUBLIC_PAGES.has(p.url));
      expect(pages.length).toBeGreaterThanOrEqual(9);
      for (const p of pages) {
        const res = await request.get(p.url, { headers, maxRedirects: 0 });
        expect([303, 307], `${p.url} → ${res.status()}`).toContain(res.status());
        expect(res.headers().location ?? "", p.url).toMatch(/^\/login/);
      }
    });

    test("every route handler answers 401", async ({ request }) => {
      const routes = listRoutes().filter((r) => !PUBLIC_ROUTES.has(r.url));
      expect(routes.length).toBeGreaterThanOrEqual(5);
      for (const r of routes) {
        expect(r.methods.length, r.file).toBeGreaterThan(0);
        for (const method of r.methods) {
          const res = await request.fetch(r.url, { method, headers, maxRedirects: 0 });
          expect(res.status(), `${method} ${r.url}`).toBe(401);
          expect(await res.text(), `${method} ${r.url}`).toContain("unauthorized");
        }
      }
    });

    test("every server action refuses and changes nothing", async ({ request }) => {
      const built = listBuiltActions();
      const source = listServerActions();
      // Every exported action is registered by the build (so it is reachable and tested here)…
      for (const a of source) expect(built.map((b) => b.name), `${a.file}: ${a.name}`).toContain(a.name);
      expect(built.length).toBe(source.length);
      const before = { version: configVersion(), audit: count("audit"), doors: count("doors"), trusted: count("trusted_networks") };
      for (const action of built) {
        const res = await callAction(request, action.id, headers);
        const body = await res.text();
        if (PUBLIC_ACTIONS.has(action.name)) {
          // Public actions answer with an error state and never start a session.
          expect(res.headers()["set-cookie"] ?? "", action.name).not.toContain("sesame_session=Fe26");
          continue;
        }
        const refused =
          res.status() === 401 ||
          (res.headers()["x-action-redirect"] ?? "").startsWith("/login") ||
          ((res.status() === 303 || res.status() === 307) && (res.headers().location ?? "").startsWith("/login"));
        expect(refused, `${action.name} (${action.file}) answered ${res.status()} ${JSON.stringify(res.headers())} ${body.slice(0, 200)}`).toBe(true);
      }
      expect({ version: configVersion(), audit: count("audit"), doors: count("doors"), trusted: count("trusted_networks") }).toEqual(before);
    });
  });
}

test("every protected page, route and action calls the session gate itself (not only the proxy)", () => {
  for (const p of listPages()) {
    if (PUBLIC_PAGES.has(p.url)) continue;
    expect(p.source, p.file).toMatch(/await requireSession\(\)/);
  }
  for (const r of listRoutes()) {
    if (PUBLIC_ROUTES.has(r.url)) continue;
    const handlers = r.source.split(/export\s+(?:(?:async\s+)?function|const)\s+(?=(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b)/).slice(1);
    // Either the gate itself, or the handler is built by sessionRoute (server/api-route.ts), which calls it first,
    // or (the automation API, /api/v1) by tokenRoute (server/token-route.ts), which checks the scoped token first.
    for (const h of handlers) {
      if (r.url.startsWith("/api/v1/")) expect(h, `${r.file}: ${h.slice(0, 20)}`).toMatch(/^\w+ = tokenRoute\(\{ scopes: \[/);
      else expect(h, `${r.file}: ${h.slice(0, 20)}`).toMatch(/^\w+ = sessionRoute\(|await requireApiSession\(\)/);
    }
  }
  {
    const helper = readFileSync(join(REPO_ROOT, "apps/web/src/server/token-route.ts"), "utf8");
    const body = helper.slice(helper.indexOf("export function tokenRoute"));
    expect(body).toMatch(/return async \(request, ctx\) => \{\n\s*const check = checkApiToken\(/);
  }
  {
    const helper = readFileSync(join(REPO_ROOT, "apps/web/src/server/api-route.ts"), "utf8");
    const body = helper.slice(helper.indexOf("export function sessionRoute"));
    expect(body).toMatch(/return async \(request\) => \{[^}]*await requireApiSession\(\)/);
  }
  for (const a of listServerActions()) {
    if (PUBLIC_ACTIONS.has(a.name)) continue;
    // The gate comes first, before anything reads input or the database.
    const firstStatement = a.body.slice(a.body.indexOf("{") + 1).trim().split("\n")[0] ?? "";
    expect(firstStatement, `${a.file}: ${a.name}`).toMatch(/await requireSession\(\)/);
  }
});

/** Invoke a server action the way Next's client does (fetch with the Next-Action header). */
async function callAction(request: APIRequestContext, id: string, headers: Record<string, string>) {
  return request.post("/", {
    headers: { ...headers, "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: "[]",
    maxRedirects: 0,
  });
}
