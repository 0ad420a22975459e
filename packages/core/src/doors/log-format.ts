/**
 * knockd's log lines, byte for byte, so existing log watchers (fail2ban
 * filters, logcheck rules, scripts grepping "OPEN SESAME") keep working, plus
 * a plain-language line for every event for Sesame's own event log.
 */
import type { MatchEvent } from "../types";

/** Door ids in events are database ids for UI doors; pass a lookup to print names. */
export type DoorNameOf = (doorId: string) => string;

const sameName: DoorNameOf = (id) => id;

/**
 * The line knockd would log for this event (without timestamp or newline):
 * `10.0.0.5: openSSH: Stage 1`, `10.0.0.5: openSSH: OPEN SESAME`,
 * `10.0.0.5: openSSH: sequence timeout (stage 2)`. null for events knockd
 * does not log (invalidated attempts, duplicates, cooldown, evictions,
 * one-time bookkeeping).
 */
export function formatMatchEvent(ev: MatchEvent, nameOf: DoorNameOf = sameName): string | null {
  switch (ev.kind) {
    case "stage":
      return `${ev.ip}: ${nameOf(ev.door)}: Stage ${ev.stage}`;
    case "open-sesame":
      return `${ev.ip}: ${nameOf(ev.door)}: OPEN SESAME`;
    case "timeout":
      return `${ev.ip}: ${nameOf(ev.door)}: sequence timeout (stage ${ev.stage})`;
    default:
      return null;
  }
}

/** `openSSH: running command: /sbin/iptables -A INPUT -s 10.0.0.5 ...` (the command with %IP% already substituted). */
export function formatRunningCommand(doorName: string, command: string): string {
  return `${doorName}: running command: ${command}`;
}

/** `10.0.0.5: openSSH: command timeout`, logged when Cmd_Timeout elapses, before the stop command. */
export function formatCommandTimeout(ip: string, doorName: string): string {
  return `${ip}: ${doorName}: command timeout`;
}

/** `starting up, listening on eth0` (several interfaces are joined with commas). */
export function formatStartingUp(interfaces: readonly string[]): string {
  return `starting up, listening on ${interfaces.join(",")}`;
}

/** knockd's two exit lines, in the order it logs them. */
export const WAITING_FOR_CHILDREN_LINE = "waiting for child processes...";
export const SHUTTING_DOWN_LINE = "shutting down";

function ordinal(n: number): string {
  return `#${n}`;
}

/** A human sentence for any matcher event (Sesame's event log and UI). */
export function describeMatchEvent(ev: MatchEvent, nameOf: DoorNameOf = sameName): string {
  switch (ev.kind) {
    case "stage":
      return `${ev.ip} knocked step ${ev.stage} of ${ev.of} on door ${nameOf(ev.door)}.`;
    case "open-sesame":
      return `${ev.ip} completed the sequence of door ${nameOf(ev.door)} (IPv${ev.family}).`;
    case "timeout":
      return `${ev.ip} ran out of time on door ${nameOf(ev.door)} after step ${ev.stage}.`;
    case "invalidated":
      return `${ev.ip} knocked ${ev.protocol}/${ev.port} out of order after step ${ev.stage} of door ${nameOf(ev.door)}; the attempt was dropped.`;
    case "duplicate":
      return `${ev.ip} repeated the knock of step ${ev.stage} on door ${nameOf(ev.door)}; tolerated as a retransmission.`;
    case "cooldown":
      return `${ev.ip} knocked door ${nameOf(ev.door)} again during its cooldown; ignored.`;
    case "evicted":
      return `The pending attempt of ${ev.ip} on door ${nameOf(ev.door)} (step ${ev.stage}) was dropped to make room: too many attempts pending.`;
    case "one-time-used":
      return `Door ${nameOf(ev.door)} used its one-time sequence ${ordinal(ev.index + 1)}; ${
        ev.exhausted ? "no sequence is left, so the door is inactive." : "the next one is now active."
      }`;
    case "spa":
      return `${ev.ip} sent an SPA packet${ev.user ? ` as ${ev.user.name}` : ""}: ${ev.outcome} (${ev.reason}).`;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * knockd's LogFile line: `[YYYY-MM-DD HH:MM] msg` in local time (knockd
 * prints localtime() with "[%04d-%02d-%02d %02d:%02d] %s"). No trailing newline.
 */
export function formatLogFileLine(date: Date, msg: string): string {
  const stamp = `${String(date.getFullYear()).padStart(4, "0")}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `[${stamp}] ${msg}`;
}
