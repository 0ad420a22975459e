import { getDb } from "@/server/db";
import { getLiveHub, type LiveMessage } from "@/server/live-hub";
import { findEventsAfter, findRecentEvents } from "@/server/queries/live-state";
import { sessionRoute } from "@/server/api-route";
import { isSessionStillValid } from "@/server/session";

export const dynamic = "force-dynamic";

const KEEPALIVE_MS = 15_000;
/** A logout or password change elsewhere ends an open stream within this long. */
const SESSION_CHECK_MS = 1000;

/**
 * Server-sent events for the dashboard: `events` (new rows of the events
 * table, ~150 ms after the worker writes them) and `state` (open grants,
 * active bans, worker health). Reconnects resume after Last-Event-ID. The
 * stream closes when the session expires or is revoked.
 */
export const GET = sessionRoute({}, ({ request, session }) => {
  const db = getDb();
  const lastEventId = Number(request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after") ?? NaN);
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (chunk: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      const sendMessage = (msg: LiveMessage) => {
        if (msg.type === "events") {
          if (msg.events.length === 0) return;
          const lastId = msg.events[msg.events.length - 1]!.id;
          send(`id: ${lastId}\nevent: events\ndata: ${JSON.stringify(msg.events)}\n\n`);
        } else {
          send(`event: state\ndata: ${JSON.stringify(msg.state)}\n\n`);
        }
      };
      send("retry: 1000\n\n");
      // Backlog first: what the client missed, or the last 200 lines for a fresh dashboard.
      const backlog = Number.isFinite(lastEventId) && lastEventId >= 0 ? findEventsAfter(db, lastEventId, 1000) : findRecentEvents(db, 200);
      sendMessage({ type: "events", events: backlog });
      const backlogMax = backlog.at(-1)?.id ?? 0;
      const unsubscribe = getLiveHub().subscribe((msg) => {
        if (msg.type === "events") {
          const fresh = msg.events.filter((e) => e.id > backlogMax);
          sendMessage({ type: "events", events: fresh });
        } else sendMessage(msg);
      });
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
      // One primary-key read a second per open dashboard: a revoked session must not keep watching.
      const sessionCheck = setInterval(() => {
        let valid = false;
        try {
          valid = isSessionStillValid(session);
        } catch (err) {
          console.error("sesame: session check failed; closing the stream:", err);
        }
        if (valid) return;
        send("event: logout\ndata: {}\n\n");
        cleanup();
      }, SESSION_CHECK_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        clearInterval(sessionCheck);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener("abort", () => cleanup());
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-store, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});
