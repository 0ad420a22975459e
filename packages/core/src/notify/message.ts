import type { Step } from "../types";
import type { NotifyEvent } from "./events";
import { NOTIFY_KIND_NOUNS, NOTIFY_KINDS } from "./kinds";

/** What every channel renders: a short title, one or two lines of text, and the facts as fields. */
export interface NotifyMessage {
  title: string;
  text: string;
  /** ntfy-style priority: 1 (min) to 5 (urgent). */
  priority: 1 | 2 | 3 | 4 | 5;
  tags: string[];
  fields: Record<string, string | number | boolean | null>;
}

export function formatPortList(ports: readonly Step[]): string {
  return ports.map((p) => `${p.port}/${p.protocol}`).join(", ");
}

/** "300 s", "5 min", "1 h 30 min": what a human reads in a chat line. */
export function formatDuration(sec: number): string {
  if (sec < 120 || sec % 60 !== 0) return `${sec} s`;
  const min = sec / 60;
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** "in the last minute", "in the last 10 s", "in the last 5 min". */
export function formatWindow(windowSec: number): string {
  if (windowSec === 60) return "in the last minute";
  if (windowSec === 3600) return "in the last hour";
  return `in the last ${formatDuration(windowSec)}`;
}

/** "37 more bans and 2 more opens in the last minute". */
export function formatDigest(held: Partial<Record<string, number>>, windowSec: number): string {
  const parts: string[] = [];
  for (const k of NOTIFY_KINDS) {
    const n = held[k] ?? 0;
    if (n > 0) parts.push(`${n} more ${NOTIFY_KIND_NOUNS[k][n === 1 ? 0 : 1]}`);
  }
  const list = parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
  return `${list} ${formatWindow(windowSec)}`;
}

/**
 * The message for one event. Lines keep the worker's log shape
 * (`10.0.0.5: openSSH: OPEN SESAME`) so what the admin greps for in the log
 * is what arrives in the chat.
 */
export function buildNotifyMessage(ev: NotifyEvent): NotifyMessage {
  const at = new Date(ev.at).toISOString();
  switch (ev.kind) {
    case "open": {
      const who = ev.door ?? (ev.user ? `user ${ev.user}` : "unknown");
      const by = ev.user && ev.door ? ` (user ${ev.user})` : "";
      const ports = formatPortList(ev.ports);
      return {
        title: `OPEN SESAME: ${ev.ip} → ${who}`,
        text: `${ev.ip}: ${who}: OPEN SESAME${by}: ${ports} ${ev.refreshed ? "refreshed" : "open"} for ${formatDuration(ev.durationSec)}`,
        priority: 3,
        tags: ["unlock"],
        fields: { event: "open", door: ev.door, user: ev.user, ip: ev.ip, ports, durationSec: ev.durationSec, refreshed: ev.refreshed, at },
      };
    }
    case "ban":
      return {
        title: `Banned ${ev.ip}`,
        text: `${ev.ip}: ${ev.door ?? "decoy"}: BANNED${ev.durationSec === null ? "" : ` for ${formatDuration(ev.durationSec)}`}`,
        priority: 3,
        tags: ["no_entry"],
        fields: { event: "ban", door: ev.door, ip: ev.ip, durationSec: ev.durationSec, at },
      };
    case "admin": {
      const what = ev.action === "unban" ? `unbanned ${ev.ip}` : `revoked the grant of ${ev.ip}`;
      return {
        title: `${ev.actor} ${what}`,
        text: `${ev.ip}: ${ev.door ?? "-"}: ${ev.action === "unban" ? "unbanned" : "access revoked"} by ${ev.actor}`,
        priority: 3,
        tags: ["bust_in_silhouette"],
        fields: { event: ev.action, door: ev.door, ip: ev.ip, actor: ev.actor, at },
      };
    }
    case "worker": {
      const title = ev.state === "down" ? "Worker down" : ev.state === "back" ? "Worker back" : "Worker error";
      return {
        title,
        text: `${title}: ${ev.detail}`,
        priority: ev.state === "back" ? 3 : 5,
        tags: [ev.state === "back" ? "white_check_mark" : "rotating_light"],
        fields: { event: `worker-${ev.state}`, detail: ev.detail, at },
      };
    }
    case "login": {
      const scope = ev.scope === "global" ? "all addresses" : ev.address;
      return {
        title: `Admin login locked (${scope})`,
        text: `Admin login locked for ${formatDuration(ev.lockSeconds)} after failure ${ev.failures} from ${ev.address}${ev.scope === "global" ? " (the appliance-wide ceiling: every address is locked)" : ""}`,
        priority: 4,
        tags: ["warning"],
        fields: { event: "login-locked", ip: ev.address, scope: ev.scope, failures: ev.failures, lockSeconds: ev.lockSeconds, at },
      };
    }
    case "test":
      return {
        title: "Sesame test notification",
        text: `Test notification for channel "${ev.channel}": this channel works.`,
        priority: 2,
        tags: ["white_check_mark"],
        fields: { event: "test", channel: ev.channel, at },
      };
    case "digest": {
      const text = formatDigest(ev.held, ev.windowSec);
      return {
        title: "Sesame: more events held back",
        text: `${text[0]!.toUpperCase()}${text.slice(1)} (rate limit; see the dashboard or History)`,
        priority: 3,
        tags: ["package"],
        fields: { event: "digest", ...Object.fromEntries(Object.entries(ev.held).map(([k, n]) => [k, n ?? 0])), windowSec: ev.windowSec, at },
      };
    }
  }
}
