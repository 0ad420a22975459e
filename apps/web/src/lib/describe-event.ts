import { SPA_DOOR_NAME } from "@sesame/core";
import { describeSpaOpen, describeSpaOutcome } from "./describe-spa";
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
  if (e.kind === "spa") return describeSpaOutcome(e);
  if (e.kind === "open" && e.doorName === SPA_DOOR_NAME) return describeSpaOpen(e);
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
      return e.doorName === SPA_DOOR_NAME ? `${prefix}valid SPA packet from a banned address: not opened` : `${prefix}completed the sequence while banned: not opened`;
    case "trusted-skip":
      return `${prefix}decoy knocked from a trusted network: not banned`;
    case "error":
      return `${prefix}error${e.detail ? `: ${e.detail}` : ""}`;
    case "replayed":
      return `${prefix}REPLAYED: refused${detail}`;
    case "source-not-allowed":
      return `${prefix}refused: source not allowed${detail}`;
    case "user-expired":
      return `${prefix}refused: user expired${detail}`;
    case "user-disabled":
      return `${prefix}refused: user disabled${detail}`;
    case "worker":
      return e.detail ?? "worker";
    default:
      return `${prefix}${e.kind}${detail}`;
  }
}

type GroupedEvent = Pick<EventView, "kind" | "doorName">;

/** Groups for the live-log filter; `kinds` empty: every event. */
export const EVENT_GROUPS: Record<string, { label: string; kinds: string[]; match?: (e: GroupedEvent) => boolean }> = {
  all: { label: "All events", kinds: [] },
  knocks: { label: "Knocks (stages)", kinds: ["stage", "invalid", "duplicate", "evicted", "cooldown"] },
  opens: { label: "OPEN SESAME", kinds: ["open", "close", "grant-expired", "revoke"] },
  timeouts: { label: "Timeouts", kinds: ["timeout"] },
  bans: { label: "Bans", kinds: ["ban", "unban", "ignored-banned", "trusted-skip"] },
  // Everything the SPA door did: its opens (and their expiry or revocation) and every refused packet.
  spa: { label: "SPA", kinds: ["spa"], match: (e) => e.kind === "spa" || e.doorName === SPA_DOOR_NAME },
  refused: { label: "Rotating knocks refused", kinds: ["replayed", "source-not-allowed", "user-expired", "user-disabled"] },
  commands: { label: "Commands", kinds: ["command", "command-timeout", "command-error"] },
  errors: { label: "Errors & worker", kinds: ["error", "command-error", "worker"] },
};

/** Whether an event belongs in a live-log filter group (unknown group: every event). */
export function isInGroup(group: string, e: GroupedEvent): boolean {
  const g = EVENT_GROUPS[group];
  if (!g || g.kinds.length === 0) return true;
  return g.match ? g.match(e) : g.kinds.includes(e.kind);
}

/** The badge colour of an event kind (History's Kind column), as the live log colours its line. */
export function eventTone(kind: string): "ok" | "danger" | "warn" | "" {
  if (kind === "open") return "ok";
  if (kind === "ban" || kind.includes("error")) return "danger";
  if (["timeout", "invalid", "ignored-banned", "spa", "replayed", "source-not-allowed", "user-expired", "user-disabled"].includes(kind)) return "warn";
  return "";
}
