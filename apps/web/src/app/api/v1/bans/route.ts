import { ApiBanInputSchema } from "@sesame/core";
import { bans } from "@sesame/db";
import { applyChange } from "@/server/config-write";
import { getDb } from "@/server/db";
import { getLiveHub } from "@/server/live-hub";
import { findActiveBans } from "@/server/queries/live-state";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

/** Active bans: scope read or bans. */
export const GET = tokenRoute({ scopes: ["read", "bans"] }, () =>
  Response.json({ bans: findActiveBans(getDb()).filter((b) => b.expiresAt > Date.now()) }, { headers: { "Cache-Control": "no-store" } }),
);

/**
 * Ban an address on every protected port for `durationSec` (an incident
 * responder): scope bans. The worker puts it into the kernel within a second
 * (a ban set element with that timeout); audited.
 */
export const POST = tokenRoute({ scopes: ["bans"], body: ApiBanInputSchema }, ({ body, actor, token }) => {
  const now = Date.now();
  const row = applyChange(getDb(), actor, { bumpConfig: false }, ({ tx, record }) => {
    const r = tx
      .insert(bans)
      .values({ ip: body.ip, family: body.ip.includes(":") ? 6 : 4, doorName: `api:${token.name}`, createdAt: now, expiresAt: now + body.durationSec * 1000 })
      .returning()
      .get();
    record({ action: "create", entity: "ban", entityId: r.id, after: { ...r, reason: body.reason } });
    return r;
  }).result;
  getLiveHub().refreshState();
  return Response.json({ ban: row }, { status: 201 });
});
