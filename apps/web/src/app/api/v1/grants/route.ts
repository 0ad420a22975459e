import { getDb } from "@/server/db";
import { findOpenGrants } from "@/server/queries/live-state";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

/** Open grants (a script lists who is in): scope read or grants. */
export const GET = tokenRoute({ scopes: ["read", "grants"] }, () =>
  Response.json({ grants: findOpenGrants(getDb()).filter((g) => g.expiresAt > Date.now()) }, { headers: { "Cache-Control": "no-store" } }),
);
