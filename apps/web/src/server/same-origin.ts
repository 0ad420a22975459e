import "server-only";

/**
 * CSRF guard for state-changing route handlers (server actions get Next's
 * own Origin check): a browser always sends Origin on cross-site POSTs, so
 * refuse one that names another host. Non-browser clients send none.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
