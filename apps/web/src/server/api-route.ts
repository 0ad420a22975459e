import "server-only";
import type { z } from "zod";
import { isSameOrigin } from "./same-origin";
import { requireApiSession, type ValidSession } from "./session";

/** The one error shape every route answers with. */
export function apiError(code: string, message: string, status: number): Response {
  return Response.json({ error: { code, message } }, { status });
}

/**
 * A failed parse as one message. Top-level messages name their field; a
 * nested one (a knock in a list, an action's port) is led by its path.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => (i.path.length > 1 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message)).join(" ");
}

interface RouteSpec<Q extends z.ZodType> {
  /** Query parameters, parsed with this schema (a 400 names what is wrong). */
  query?: Q;
  /** Refuse cross-site requests (every route that changes something). */
  sameOrigin?: boolean;
}

interface RouteContext<Q extends z.ZodType> {
  request: Request;
  session: ValidSession;
  query: z.output<Q>;
}

/**
 * A route handler behind the session (umami style): the same-origin check
 * where asked, the session, then the query parsed with its zod schema, so
 * every handler starts from checked input and answers errors one way.
 */
export function sessionRoute<Q extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<Q>,
  handler: (ctx: RouteContext<Q>) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (spec.sameOrigin && !isSameOrigin(request)) return apiError("bad_origin", "Cross-site request refused.", 403);
    const auth = await requireApiSession();
    if (!auth.ok) return auth.response;
    let query: unknown = undefined;
    if (spec.query) {
      const parsed = spec.query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!parsed.success) return apiError("invalid_query", parsed.error.issues.map((i) => i.message).join(" "), 400);
      query = parsed.data;
    }
    return handler({ request, session: auth.session, query: query as z.output<Q> });
  };
}
