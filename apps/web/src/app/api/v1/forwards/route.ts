import { getDb } from "@/server/db";
import { findForwards } from "@/server/queries/forwards";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { tokenRoute } from "@/server/token-route";

export const dynamic = "force-dynamic";

/** 1 on, 0 off; anything else (unreadable, no worker) is unknown: null. */
function flag(v: number | undefined, running: boolean): boolean | null {
  return running && (v === 0 || v === 1) ? v === 1 : null;
}

/** Gateway mode's forwards and whether the worker's host forwards (from its heartbeat): scope read. */
export const GET = tokenRoute({ scopes: ["read"] }, () => {
  const db = getDb();
  const health = getWorkerHealth(db);
  const running = health.state === "applied" || health.state === "pending";
  return Response.json(
    { forwards: findForwards(db), forwarding: { ipv4: flag(health.stats?.ipForward, running), ipv6: flag(health.stats?.ipForward6, running) } },
    { headers: { "Cache-Control": "no-store" } },
  );
});
