import { formatDuration } from "./format";
import type { EventView } from "./live-types";

/** The worker stores structured details as JSON; say them in words. */
function detailText(detail: string | null): string {
  if (!detail) return "";
  if (!detail.startsWith("{")) return detail;
  try {
    const d = JSON.parse(detail) as { ports?: { port: number; protocol: string }[]; durationSec?: number; refreshed?: boolean; onlyDoor?: string | null };
    const parts: string[] = [];
    if (d.ports?.length) parts.push(d.ports.map((p) => `${p.port}/${p.protocol}`).join(", "));
    if (typeof d.durationSec === "number") parts.push(`for ${formatDuration(d.durationSec)}`);
    if (d.onlyDoor) parts.push(`of ${d.onlyDoor}`);
    if (d.refreshed) parts.push("(renewed)");
    return parts.join(" ");
  } catch {
    return detail;
  }
}

/**
 * One log line per events-table row, in knockd's words where knockd has
 * them (`10.0.0.5: openSSH: Stage 1`, `… OPEN SESAME`, `… sequence timeout
 * (stage 2)`) so the dashboard reads like the log admins know.
 */
export function describeEvent(e: Pick<EventView, "ip" | "doorName" | "userName" | "kind" | "stage" | "detail">): string {
  // A rotating sequence's door is already named totp:<user>; other user events name the user.
  const user = e.userName && !(e.doorName ?? "").endsWith(`:${e.userName}`) ? `user ${e.userName}` : null;
  const who = [e.ip, e.doorName, user].filter(Boolean).join(": ");
  const prefix = who ? `${who}: ` : "";
  const text = detailText(e.detail);
  const detail = text ? ` (${text})` : "";
  switch (e.kind) {
    case "stage":
      return `${prefix}Stage ${e.stage ?? "?"}`;
    case "open":
      return `${prefix}OPEN SESAME${text ? ` → ${text}` : ""}`;
    case "timeout":
      return `${prefix}sequence timeout (stage ${e.stage ?? "?"})`;
    case "invalid":
      return `${prefix}wrong knock, attempt dropped${e.stage != null ? ` (after stage ${e.stage})` : ""}${detail}`;
    case "duplicate":
      return `${prefix}duplicate knock tolerated${e.stage != null ? ` (stage ${e.stage})` : ""}`;
    case "cooldown":
      return `${prefix}ignored: cooldown${detail}`;
    case "evicted":
      return `${prefix}pending attempt evicted (too many pending)${detail}`;
    case "close":
      return `${prefix}grants closed by close sequence${detail}`;
    case "ban":
      return `${prefix}BANNED${text ? ` ${text}` : ""}`;
    case "unban":
      return `${prefix}ban lifted${text === "unbanned" ? " by the admin" : detail}`;
    case "grant-expired":
      return `${prefix}grant expired${detail}`;
    case "revoke":
      return `${prefix}grant closed${text ? ` (${text})` : ""}`;
    case "command":
      return `${prefix}running command${e.detail ? `: ${e.detail}` : ""}`;
    case "command-timeout":
      return `${prefix}command timeout`;
    case "command-error":
      return `${prefix}command failed${e.detail ? `: ${e.detail}` : ""}`;
    case "ignored-banned":
      return `${prefix}completed the sequence while banned: not opened`;
    case "trusted-skip":
      return `${prefix}decoy knocked from a trusted network: not banned`;
    case "error":
      return `${prefix}error${e.detail ? `: ${e.detail}` : ""}`;
    case "spa": {
      // The worker's SPA outcome: {"outcome":"too-old","reason":"SPA data time difference is too great (300 seconds)."}
      let d: { outcome?: string; reason?: string } = {};
      try {
        d = JSON.parse(e.detail ?? "{}") as typeof d;
      } catch {
        // shown as stored below
      }
      return `${prefix}SPA refused: ${d.outcome ?? "?"}${d.reason ? ` (${d.reason})` : e.detail ? ` (${e.detail})` : ""}`;
    }
    case "replayed":
      return `${prefix}REPLAYED: refused${detail}`;
    case "source-not-allowed":
      return `${prefix}refused: source not allowed${detail}`;
    case "user-expired":
      return `${prefix}refused: user disabled or expired${detail}`;
    case "worker":
      return e.detail ?? "worker";
    default:
      return `${prefix}${e.kind}${detail}`;
  }
}

/** Groups for the live-log filter. */
export const EVENT_GROUPS: Record<string, { label: string; kinds: string[] }> = {
  all: { label: "All events", kinds: [] },
  knocks: { label: "Knocks (stages)", kinds: ["stage", "invalid", "duplicate", "evicted", "cooldown"] },
  opens: { label: "OPEN SESAME", kinds: ["open", "close", "grant-expired", "revoke"] },
  timeouts: { label: "Timeouts", kinds: ["timeout"] },
  bans: { label: "Bans", kinds: ["ban", "unban", "ignored-banned", "trusted-skip"] },
  spa: { label: "SPA refused", kinds: ["spa"] },
  refused: { label: "Users refused", kinds: ["replayed", "source-not-allowed", "user-expired"] },
  commands: { label: "Commands", kinds: ["command", "command-timeout", "command-error"] },
  errors: { label: "Errors & worker", kinds: ["error", "command-error", "worker"] },
};
