import type { SpaOutcome } from "@sesame/core/spa";
import { formatDuration } from "./format";

/**
 * SPA rows in an admin's words. The worker writes one `open` row (doorName
 * SPA) when a packet opens, one `spa` row per refusal with
 * {outcome, reason[, ports][, count]}: `count` is a per-second summary of
 * the packets of that outcome left out of the log (junk and replays are
 * capped), so "×123 in the last second" stands for 123 packets.
 */

interface SpaDetail {
  outcome?: string;
  reason?: string;
  count?: number;
  ports?: { port: number; protocol: string }[];
}

const seconds = (reason: string | undefined) => /\((\d+) seconds\)/.exec(reason ?? "")?.[1];
const portsText = (d: SpaDetail) => (d.ports?.length ? ` (${d.ports.map((p) => `${p.port}/${p.protocol}`).join(", ")})` : "");

function unsupported(reason: string | undefined): string {
  if (/GnuPG/i.test(reason ?? "")) return "SPA unsupported (GnuPG)";
  if (/command/i.test(reason ?? "")) return "SPA unsupported (command message)";
  if (/NAT/.test(reason ?? "")) return "SPA unsupported (NAT access)";
  return "SPA unsupported";
}

/** Every outcome core can decide, named; a new outcome without a label fails the typecheck. */
export const SPA_OUTCOME_LABELS: Record<SpaOutcome, (d: SpaDetail) => string> = {
  opened: () => "SPA: access granted",
  replayed: () => "SPA replayed: refused",
  "too-old": (d) => `SPA too old${seconds(d.reason) ? ` (${seconds(d.reason)} s)` : ""}`,
  future: (d) => `SPA from the future${seconds(d.reason) ? ` (${seconds(d.reason)} s ahead)` : ""}`,
  "bad-hmac": () => "SPA bad HMAC",
  "bad-key": () => "SPA wrong encryption key",
  "port-not-allowed": (d) => `SPA port not allowed${portsText(d)}`,
  "source-not-allowed": () => "SPA source not allowed",
  "username-not-allowed": () => "SPA username not allowed",
  "user-disabled": () => "SPA user disabled",
  "user-expired": () => "SPA user expired",
  unsupported: (d) => unsupported(d.reason),
  malformed: () => "SPA malformed",
};

function parse(detail: string | null): SpaDetail | null {
  try {
    const d = JSON.parse(detail ?? "") as unknown;
    return d && typeof d === "object" ? (d as SpaDetail) : null;
  } catch {
    return null;
  }
}

/** A `spa` row: `10.0.0.2: SPA too old (300 s), user alice`, `SPA bad HMAC ×123 in the last second`. */
export function describeSpaOutcome(e: { ip: string | null; userName?: string | null; detail: string | null }): string {
  const at = e.ip ? `${e.ip}: ` : "";
  const d = parse(e.detail);
  if (!d) return `${at}SPA refused${e.detail ? ` (${e.detail})` : ""}`;
  const label = d.outcome !== undefined && Object.hasOwn(SPA_OUTCOME_LABELS, d.outcome) ? SPA_OUTCOME_LABELS[d.outcome as SpaOutcome](d) : `SPA refused: ${d.outcome ?? "?"}${d.reason ? ` (${d.reason})` : ""}`;
  const count = typeof d.count === "number" ? ` ×${d.count} in the last second` : "";
  return `${at}${label}${count}${e.userName ? `, user ${e.userName}` : ""}`;
}

/** An `open` row of the SPA door: `10.0.0.2: SPA: access granted to alice → 22/tcp for 30 s`. */
export function describeSpaOpen(e: { ip: string | null; userName?: string | null; detail: string | null }): string {
  const d = (parse(e.detail) ?? {}) as { ports?: { port: number; protocol: string }[]; durationSec?: number; refreshed?: boolean; src?: string };
  const what = [d.ports?.length ? d.ports.map((p) => `${p.port}/${p.protocol}`).join(", ") : "", typeof d.durationSec === "number" ? `for ${formatDuration(d.durationSec)}` : ""].filter(Boolean).join(" ");
  const from = d.src && e.ip && d.src !== e.ip ? ` (sent from ${d.src})` : "";
  return `${e.ip ? `${e.ip}: ` : ""}SPA: access ${d.refreshed ? "renewed" : "granted"}${e.userName ? ` ${d.refreshed ? "for" : "to"} ${e.userName}` : ""}${what ? ` → ${what}` : ""}${from}`;
}
