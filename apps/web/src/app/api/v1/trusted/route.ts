import { ApiTrustedInputSchema, cidrsOverlap } from "@sesame/core";
import { trustedNetworks } from "@sesame/db";
import { apiError } from "@/server/api-route";
import { applyChange } from "@/server/config-write";
import { getDb } from "@/server/db";
import { getLiveHub } from "@/server/live-hub";
import { findTrustedNetworks } from "@/server/queries/trusted";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

/** Trusted networks with their expiries: scope read or trusted. */
export const GET = tokenRoute({ scopes: ["read", "trusted"] }, () =>
  Response.json({ trusted: findTrustedNetworks(getDb()) }, { headers: { "Cache-Control": "no-store" } }),
);

/**
 * Trust a network for `ttlSec` (a CI runner for its job): scope trusted.
 * Always with an expiry, which the kernel enforces even with the worker down;
 * audited like an admin's change, applied by the worker within a second.
 */
export const POST = tokenRoute({ scopes: ["trusted"], body: ApiTrustedInputSchema }, ({ body, actor }) => {
  const now = Date.now();
  const result = applyChange(getDb(), actor, { bumpConfig: true }, ({ tx, record }) => {
    const clash = tx.select().from(trustedNetworks).all().find((t) => cidrsOverlap(t.cidr, body.cidr));
    if (clash) return { clash };
    const row = tx.insert(trustedNetworks).values({ cidr: body.cidr, comment: body.comment, expiresAt: now + body.ttlSec * 1000, createdAt: now }).returning().get();
    record({ action: "create", entity: "trusted-network", entityId: row.id, after: row });
    return { row };
  }).result;
  if ("clash" in result) {
    const t = result.clash!;
    return apiError("conflict", `${body.cidr} ${t.cidr === body.cidr ? "is already trusted" : `overlaps ${t.cidr}`} (id ${t.id}).`, 409);
  }
  getLiveHub().refreshState();
  return Response.json({ trusted: result.row }, { status: 201 });
});
