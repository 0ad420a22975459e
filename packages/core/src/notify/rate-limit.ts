import type { NotifyEvent } from "./events";
import type { NotifyKind } from "./kinds";

/**
 * A channel's rate limit: at most `count` messages per window of `perSec`
 * seconds, counted from the first message. What is over the limit is held
 * (counted by kind, not queued) and sent as one digest when the window ends
 * ("37 more bans in the last minute"), so a flood costs a channel at most
 * count + 1 messages a window.
 */
export interface RateLimit {
  count: number;
  perSec: number;
}

export interface RateWindow {
  startedAt: number;
  sent: number;
  held: Partial<Record<NotifyKind, number>>;
}

type Digest = Extract<NotifyEvent, { kind: "digest" }>;

function digestOf(w: RateWindow, limit: RateLimit, at: number): Digest | null {
  return Object.keys(w.held).length === 0 ? null : { kind: "digest", at, held: { ...w.held }, windowSec: limit.perSec };
}

/** The window ends: its digest (if anything was held) and no window until the next message. */
export function closeRateWindow(w: RateWindow | undefined, limit: RateLimit, now: number): { window: RateWindow | undefined; digest: Digest | null } {
  if (!w || now - w.startedAt < limit.perSec * 1000) return { window: w, digest: null };
  return { window: undefined, digest: digestOf(w, limit, now) };
}

/**
 * Let one event through or hold it. A window that has ended is closed first
 * (its digest comes back, to send before this event).
 */
export function admitToRateWindow(
  current: RateWindow | undefined,
  kind: NotifyKind,
  limit: RateLimit,
  now: number,
): { window: RateWindow; admitted: boolean; digest: Digest | null } {
  const closed = closeRateWindow(current, limit, now);
  const w: RateWindow = closed.window ? { ...closed.window, held: { ...closed.window.held } } : { startedAt: now, sent: 0, held: {} };
  if (w.sent < limit.count) {
    w.sent++;
    return { window: w, admitted: true, digest: closed.digest };
  }
  w.held[kind] = (w.held[kind] ?? 0) + 1;
  return { window: w, admitted: false, digest: closed.digest };
}
