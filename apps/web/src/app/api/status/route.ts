import { getDb } from "@/server/db";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { requireApiSession } from "@/server/session";

export const dynamic = "force-dynamic";

/** Worker health and config-apply state for the header pill. */
export async function GET(): Promise<Response> {
  const auth = await requireApiSession();
  if (!auth.ok) return auth.response;
  return Response.json(getWorkerHealth(getDb()), { headers: { "Cache-Control": "no-store" } });
}
