import "server-only";
import type { ApiTokenScope } from "@sesame/core";
import type { z } from "zod";
import { apiError, describeIssues } from "./api-route";
import { checkApiToken, type ApiTokenRow } from "./api-tokens";
import { clientAddressFrom } from "./client-address";
import { getDb } from "./db";
import { readJsonBody } from "./request-body";

interface TokenRouteSpec<B extends z.ZodType> {
  /** The token must hold one of these scopes. */
  scopes: readonly ApiTokenScope[];
  /** JSON body, parsed with this schema (a 400 names what is wrong). */
  body?: B;
}

interface TokenRouteContext<B extends z.ZodType> {
  request: Request;
  token: ApiTokenRow;
  /** Who the audit log names: `token:<name>@<address>`. */
  actor: string;
  /** The caller's address (the lock-out check's "your address"). */
  address: string;
  body: z.output<B>;
  params: Record<string, string>;
}

/**
 * A /api/v1 handler behind a scoped token (the automation API's sessionRoute):
 * the token checked first (live, not expired, one of the scopes), then the
 * JSON body parsed with its zod schema; every error is `{ error: { code, message } }`.
 */
export function tokenRoute<B extends z.ZodType = z.ZodUndefined>(
  spec: TokenRouteSpec<B>,
  handler: (ctx: TokenRouteContext<B>) => Response | Promise<Response>,
): (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> {
  return async (request, ctx) => {
    const check = checkApiToken(getDb(), request.headers.get("authorization"), spec.scopes);
    if (!check.ok) return apiError(check.code, check.message, check.status);
    let body: unknown = undefined;
    if (spec.body) {
      const raw = await readJsonBody(request);
      if (!raw.ok) return apiError("invalid_body", raw.message, 400);
      const parsed = spec.body.safeParse(raw.value);
      if (!parsed.success) return apiError("invalid_body", describeIssues(parsed.error.issues), 400);
      body = parsed.data;
    }
    const address = clientAddressFrom(request.headers);
    const actor = `token:${check.token.name}@${address}`;
    return handler({ request, token: check.token, actor, address, body: body as z.output<B>, params: (await ctx?.params) ?? {} });
  };
}
