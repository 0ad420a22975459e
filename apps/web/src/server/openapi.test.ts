import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * docs/api/openapi.yaml against the /api/v1 route handlers: every handler is
 * documented and every documented operation has a handler. Read as text (no
 * YAML parser in the tree), so it also catches the slip that made entries
 * vanish before: an unquoted description with a comma in a `{ … }` mapping.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const V1 = join(ROOT, "apps/web/src/app/api/v1");
const SPEC = readFileSync(join(ROOT, "docs/api/openapi.yaml"), "utf8");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

/** "GET /doors/{id}" for every exported handler under app/api/v1. */
function routeOperations(): string[] {
  return walk(V1)
    .filter((f) => f.endsWith(`${sep}route.ts`))
    .flatMap((file) => {
      const path = "/" + relative(V1, file).split(sep).slice(0, -1).map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
      const methods = [...readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE) = /g)].map((m) => m[1]!);
      return methods.map((m) => `${m} ${path}`);
    });
}

/** "GET /doors/{id}" for every operation under `paths:`. */
function specOperations(): string[] {
  const paths = SPEC.slice(SPEC.indexOf("\npaths:\n"), SPEC.indexOf("\ncomponents:\n"));
  const ops: string[] = [];
  let path = "";
  for (const line of paths.split("\n")) {
    const p = /^ {2}(\/\S*):$/.exec(line);
    if (p) path = p[1]!;
    const m = /^ {4}(get|post|put|patch|delete):$/.exec(line);
    if (m) ops.push(`${m[1]!.toUpperCase()} ${path}`);
  }
  return ops;
}

describe("docs/api/openapi.yaml", () => {
  it("documents exactly the /api/v1 handlers", () => {
    const routes = routeOperations().sort();
    expect(routes).toContain("PATCH /doors/{id}");
    expect(specOperations().sort()).toEqual(routes);
  });

  it("quotes every one-line description that holds a comma", () => {
    // In `{ description: a, b, content: … }` YAML reads `b` as a key: the text is cut and the entry malformed.
    const bad = SPEC.split("\n").filter((l) => /\{.*description: [^"'|>\s][^,}]*, (?![A-Za-z]+: )/.test(l));
    expect(bad).toEqual([]);
  });

  it("names every scope, none of them reserved", () => {
    expect(SPEC).not.toMatch(/reserved/i);
    for (const scope of ["read", "grants", "trusted", "bans", "doors"]) expect(SPEC).toContain(`\`${scope}\``);
  });
});
