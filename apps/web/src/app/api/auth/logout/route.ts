import { isSameOrigin } from "@/server/same-origin";
import { endSession, requireApiSession } from "@/server/session";

/** Log out (JSON clients; the UI uses the logout server action). */
export async function POST(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) {
    return Response.json({ error: { code: "bad_origin", message: "Cross-site request refused." } }, { status: 403 });
  }
  const auth = await requireApiSession();
  if (!auth.ok) return auth.response;
  await endSession(auth.session.actor);
  return new Response(null, { status: 204 });
}
