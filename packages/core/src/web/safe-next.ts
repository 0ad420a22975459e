/** Any origin will do: only whether `next` stays on it matters. */
const PROBE_ORIGIN = "http://sesame.invalid";

/**
 * Where to send the admin after login: `next` as a same-origin path
 * (pathname + search + hash), or "/" for anything else. It is resolved the
 * way a browser would resolve a Location header (URL strips tabs and
 * newlines and reads "\" as "/"), so "/\t/evil.example" or "/\\evil.example"
 * cannot turn into the protocol-relative "//evil.example" after our check.
 */
export function resolveSafeNext(next: unknown): string {
  if (typeof next !== "string" || next === "" || next.length > 2048) return "/";
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE_ORIGIN) return "/";
  // "/.//evil.example" resolves to the path "//evil.example": a browser would read that as a host.
  const path = url.pathname.replace(/^\/{2,}/, "/");
  return `${path}${url.search}${url.hash}`;
}
