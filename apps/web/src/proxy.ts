import { NextResponse, type NextRequest } from "next/server";

/** Keep in sync with server/session.ts (the proxy does not import server modules). */
const SESSION_COOKIE = "sesame_session";

/** Reachable without a session (each still does its own checks). */
const PUBLIC_PATHS = ["/login", "/setup", "/api/auth/login", "/api/health"];

/**
 * Early, optimistic gate: requests without a session cookie never reach a
 * page or route. It only checks that the cookie exists; every page, route
 * handler and server action verifies the session itself (requireSession),
 * so nothing relies on this file.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return NextResponse.next();
  if (request.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  if (pathname.startsWith("/api/") || request.headers.has("next-action") || request.method !== "GET") {
    return NextResponse.json({ error: { code: "unauthorized", message: "Log in first." } }, { status: 401 });
  }
  const login = new URL("/login", request.url);
  if (pathname !== "/") login.searchParams.set("next", pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico|css|js|txt|webmanifest)$).*)"],
};
