import { sessionRoute } from "@/server/api-route";
import { endSession } from "@/server/session";

/** Log out (JSON clients; the UI uses the logout server action). */
export const POST = sessionRoute({ sameOrigin: true }, async ({ session }) => {
  await endSession(session.actor);
  return new Response(null, { status: 204 });
});
