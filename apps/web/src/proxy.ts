import { NextResponse, type NextRequest } from "next/server";

/** Keep in sync with server/session.ts (the proxy does not import server modules). */
const SESSION_COOKIE = "sesame_session";

/** Reachable without a session (each still does its own checks; /metrics and /api/v1 check their tokens). */
const PUBLIC_PATHS = ["/login", "/setup", "/api/auth/login", "/api/health", "/metrics", "/api/v1"];

/**
 * A strict Content-Security-Policy: scripts only with this response's nonce
 * (Next puts it on its own scripts when it finds it in the request's CSP
 * header) and what they load; nothing from another origin; no frames, no
 * plugins, forms and fetches only to us. Styles allow inline attributes (React
 * `style` props); they cannot run code.
 */
function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Early, optimistic gate: requests without a session cookie never reach a
 * page or route. It only checks that the cookie exists; every page, route
 * handler and server action verifies the session itself (requireSession),
 * so nothing relies on this file. Every response gets the CSP.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (!isPublic && !request.cookies.has(SESSION_COOKIE)) {
    if (pathname.startsWith("/api/") || request.headers.has("next-action") || request.method !== "GET") {
      return NextResponse.json({ error: { code: "unauthorized", message: "Log in first." } }, { status: 401 });
    }
    const login = new URL("/login", request.url);
    if (pathname !== "/") login.searchParams.set("next", pathname + request.nextUrl.search);
    return NextResponse.redirect(login);
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico|css|js|txt|webmanifest)$).*)"],
};
