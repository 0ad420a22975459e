import { eq, trustedNetworks } from "@sesame/db";
import { z } from "zod";
import { apiError } from "@/server/api-route";
import { applyChange } from "@/server/config-write";
import { getDb } from "@/server/db";
import { getLiveHub } from "@/server/live-hub";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

const IdSchema = z.coerce.number().int().positive();

/**
 * Stop trusting a network before its expiry (the CI job is done): scope
 * trusted. Only expiring entries: a token can never remove a network an
 * admin trusts for good (the one that keeps the admin in).
 */
export const DELETE = tokenRoute({ scopes: ["trusted"] }, ({ params, actor }) => {
  const id = IdSchema.safeParse(params.id);
  if (!id.success) return apiError("invalid_path", "The id must be a positive whole number.", 400);
  const outcome = applyChange(getDb(), actor, { bumpConfig: true }, ({ tx, record }) => {
    const old = tx.select().from(trustedNetworks).where(eq(trustedNetworks.id, id.data)).get();
    if (!old) return "missing" as const;
    if (old.expiresAt === null) return "permanent" as const;
    tx.delete(trustedNetworks).where(eq(trustedNetworks.id, id.data)).run();
    record({ action: "delete", entity: "trusted-network", entityId: old.id, before: old });
    return "deleted" as const;
  }).result;
  if (outcome === "missing") return apiError("not_found", `No trusted network with id ${id.data}.`, 404);
  if (outcome === "permanent") return apiError("forbidden", "This network is trusted without an expiry; only an admin can remove it.", 403);
  getLiveHub().refreshState();
  return new Response(null, { status: 204 });
});
