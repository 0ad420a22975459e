import { HistoryFilterSchema, parseStoredPorts } from "@sesame/core";
import { csvLine } from "@/lib/csv";
import { describeEvent } from "@/lib/describe-event";
import { sessionRoute } from "@/server/api-route";
import { getDb } from "@/server/db";
import { findGrantPage, iterateEvents } from "@/server/queries/history";

export const dynamic = "force-dynamic";

/**
 * CSV of the filtered history (same query parameters as /history),
 * streamed in keyset batches so a million rows never sit in memory.
 */
export const GET = sessionRoute({ query: HistoryFilterSchema }, ({ request, query: f }) => {
  const opensView = new URL(request.url).searchParams.get("view") === "opens";
  const db = getDb();
  const opens = opensView;
  const encoder = new TextEncoder();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
  const filename = `sesame-${opens ? "open-sesame" : "events"}-${stamp}.csv`;

  let batches: Iterator<string>;
  if (opens) {
    batches = (function* () {
      yield csvLine(["id", "opened_at", "ip", "door", "user", "ports", "expires_at", "closed_at", "closed_reason"]);
      let beforeId: number | null = null;
      for (let i = 0; i < 100_000; i++) {
        const page = findGrantPage(db, f, { beforeId, pageSize: 2000 });
        yield page.rows
          .map((g) => {
            const ports = parseStoredPorts(g.ports).map((p) => `${p.port}/${p.protocol}`).join(" ");
            const iso = (t: number | null) => (t ? new Date(t).toISOString() : "");
            return csvLine([g.id, iso(g.openedAt), g.ip, g.doorName, g.userName, ports, iso(g.expiresAt), iso(g.closedAt), g.closedReason]);
          })
          .join("");
        if (!page.older) return;
        beforeId = page.older;
      }
    })();
  } else {
    batches = (function* () {
      yield csvLine(["id", "time", "ip", "door", "user", "kind", "stage", "detail", "message"]);
      for (const rows of iterateEvents(db, f)) {
        yield rows.map((e) => csvLine([e.id, new Date(e.ts).toISOString(), e.ip, e.doorName, e.userName ?? null, e.kind, e.stage, e.detail, describeEvent(e)])).join("");
      }
    })();
  }

  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
});
