import { cidrContains } from "@sesame/core";
import { apiError } from "@/server/api-route";
import { clientAddressFrom } from "@/server/client-address";
import { getDb } from "@/server/db";
import { getMetrics } from "@/server/metrics/registry";
import { isMetricsBearer, readMetricsToken } from "@/server/metrics/token";

export const dynamic = "force-dynamic";

const isLoopback = (ip: string): boolean => cidrContains("127.0.0.0/8", ip) || ip === "::1";

/**
 * Prometheus scrape endpoint. With a metrics token set (Settings), every
 * scrape must carry it as a bearer token, from loopback too; with none set,
 * only this host (loopback) may scrape. No session: Prometheus has none.
 */
export async function GET(request: Request): Promise<Response> {
  const db = getDb();
  const stored = readMetricsToken(db);
  if (stored) {
    if (!isMetricsBearer(stored, request.headers.get("authorization"))) {
      const res = apiError("unauthorized", "This endpoint needs the metrics token as a bearer token (Settings → Metrics).", 401);
      res.headers.set("WWW-Authenticate", 'Bearer realm="sesame-metrics"');
      return res;
    }
  } else if (!isLoopback(clientAddressFrom(request.headers))) {
    return apiError("unauthorized", "No metrics token is set: only this host may scrape. Create one in Settings → Metrics.", 401);
  }
  const metrics = getMetrics();
  const body = await metrics.scrape(db);
  return new Response(body, { headers: { "Content-Type": metrics.contentType, "Cache-Control": "no-store" } });
}
