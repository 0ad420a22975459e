import type { Step } from "@sesame/core";

/** "7000 8000:udp 9000" — knock's own argument syntax. */
export function formatSteps(steps: readonly Step[]): string {
  return steps.map((s) => (s.protocol === "tcp" ? String(s.port) : `${s.port}:udp`)).join(" ");
}

/** "22/tcp, 443/tcp" — services. */
export function formatPorts(ports: readonly Step[]): string {
  return ports.map((p) => `${p.port}/${p.protocol}`).join(", ");
}

/** 90 → "1 min 30 s", 7200 → "2 h". */
export function formatDuration(totalSec: number): string {
  const s = Math.max(0, Math.round(totalSec));
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (rest && !d) parts.push(`${rest} s`);
  return parts.slice(0, 2).join(" ");
}

/** Countdown text "4:59" / "1:02:03". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** "3 s ago", "5 min ago". */
export function formatAge(ms: number): string {
  return `${formatDuration(ms / 1000)} ago`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A date's fields in UTC or the runtime's zone. */
function partsOf(ts: number, utc: boolean) {
  const d = new Date(ts);
  return utc
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, day: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
    : { y: d.getFullYear(), mo: d.getMonth() + 1, day: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
}

/** "2025-03-01 14:05:09" in the given time zone ("local" = the runtime's); 24-hour, whatever the locale. */
export function formatTimestamp(ts: number, utc = false): string {
  const p = partsOf(ts, utc);
  return `${p.y}-${pad(p.mo)}-${pad(p.day)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${utc ? " UTC" : ""}`;
}

/** "14:05", the time part of formatTimestamp without seconds (chart axes). */
export function formatClock(ts: number, utc = false): string {
  const p = partsOf(ts, utc);
  return `${pad(p.h)}:${pad(p.mi)}`;
}

/** "03-01", the date part of formatTimestamp without the year (chart axes). */
export function formatDay(ts: number, utc = false): string {
  const p = partsOf(ts, utc);
  return `${pad(p.mo)}-${pad(p.day)}`;
}

/** Value for <input type="datetime-local"> in the browser's zone. */
export function toDateTimeLocal(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What a door does, in a few words. */
export function describeAction(row: {
  action: string;
  openPorts: Step[] | null;
  durationSec: number;
  closeDoorName: string | null;
}): string {
  switch (row.action) {
    case "open":
      return `open ${formatPorts(row.openPorts ?? [])} for ${formatDuration(row.durationSec)}`;
    case "close":
      return row.closeDoorName ? `close grants of ${row.closeDoorName}` : "close all of the knocker's grants";
    case "ban":
      return `ban for ${formatDuration(row.durationSec)}`;
    default:
      return "run knockd.conf commands";
  }
}
