import "server-only";
import { headers } from "next/headers";
import { getEnv } from "@/env";

/** Header our launcher (server.mjs) sets from the TCP socket, overwriting anything a client sent. */
export const PEER_HEADER = "x-sesame-peer";

/** "::ffff:10.0.0.5" → "10.0.0.5"; strips brackets and zone ids. */
export function cleanAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let a = raw.trim();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  const zone = a.indexOf("%");
  if (zone > 0) a = a.slice(0, zone);
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a)) a = a.slice(7);
  return a || null;
}

/**
 * The client's address, for login throttling, the audit log and the
 * lock-out check. X-Forwarded-For is only believed behind a reverse proxy
 * (SESAME_TRUST_PROXY=1), and then only its last entry (the one our proxy
 * added); otherwise the socket address from the launcher wins, so a client
 * cannot dodge throttling by sending a made-up header.
 */
export function clientAddressFrom(h: Headers): string {
  const { SESAME_TRUST_PROXY, SESAME_LAUNCHER } = getEnv();
  const xff = h.get("x-forwarded-for");
  if (SESAME_TRUST_PROXY && xff) {
    const last = cleanAddress(xff.split(",").at(-1));
    if (last) return last;
  }
  // Only believed when our launcher runs (it overwrites whatever a client sent).
  const peer = SESAME_LAUNCHER ? cleanAddress(h.get(PEER_HEADER)) : null;
  if (peer) return peer;
  // Plain `next start` (no launcher): Next fills X-Forwarded-For from the socket when
  // absent, but keeps a client-sent one — so run the app through server.mjs.
  return cleanAddress(xff?.split(",")[0]) ?? "unknown";
}

export async function getClientAddress(): Promise<string> {
  return clientAddressFrom(await headers());
}

/** Whether the request reached us over HTTPS (directly or via a trusted proxy). */
export function isHttpsRequest(h: Headers): boolean {
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return proto === "https";
}
