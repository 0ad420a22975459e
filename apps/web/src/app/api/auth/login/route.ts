import { apiError } from "@/server/api-route";
import { attemptLogin, ADMIN_USER } from "@/server/auth";
import { clientAddressFrom } from "@/server/client-address";
import { MAX_LOGIN_BODY_BYTES, readBoundedText } from "@/server/request-body";
import { isSameOrigin } from "@/server/same-origin";
import { startSession } from "@/server/session";
import { LoginSchema } from "@sesame/core";

/**
 * Public: log in with a JSON body `{ "password": "…" }` (scripts and the
 * e2e suite). Same throttling as the form. 204 + session cookie on success.
 */
export async function POST(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) {
    return apiError("bad_origin", "Cross-site request refused.", 403);
  }
  // Bounded before anything is parsed, counted or hashed (scrypt takes 32 MiB a try).
  const text = await readBoundedText(request, MAX_LOGIN_BODY_BYTES);
  if (text === null) {
    return apiError("too_large", `The login body must be at most ${MAX_LOGIN_BODY_BYTES} bytes (a password of at most 200 characters).`, 413);
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below as a missing password.
  }
  const parsed = LoginSchema.safeParse(body ?? {});
  if (!parsed.success) {
    return apiError("invalid", parsed.error.issues[0]?.message ?? "Invalid body.", 400);
  }
  const result = await attemptLogin(clientAddressFrom(request.headers), parsed.data.password);
  if (!result.ok) {
    return apiError(result.status === 429 ? "throttled" : "login_failed", result.message, result.status);
  }
  await startSession(ADMIN_USER);
  return new Response(null, { status: 204 });
}
