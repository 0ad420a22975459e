import { sessionRoute } from "@/server/api-route";
import { getDb } from "@/server/db";
import { getWorkerHealth } from "@/server/queries/worker-status";

export const dynamic = "force-dynamic";

/** Worker health and config-apply state for the header pill. */
export const GET = sessionRoute({}, () => Response.json(getWorkerHealth(getDb()), { headers: { "Cache-Control": "no-store" } }));
