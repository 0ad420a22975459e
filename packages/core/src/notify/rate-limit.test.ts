import { describe, expect, it } from "vitest";
import { MAX_DELIVERY_ATTEMPTS, RETRY_CAP_MS, retryDelayMs, shouldRetry } from "./backoff";
import type { NotifyKind } from "./kinds";
import { admitToRateWindow, closeRateWindow, type RateLimit, type RateWindow } from "./rate-limit";

/** Feed events at the given times; what got through, and every digest with the time it came out. */
function feed(limit: RateLimit, events: [number, NotifyKind][], closeAt: number[] = []) {
  let w: RateWindow | undefined;
  const sent: [number, NotifyKind][] = [];
  const digests: [number, Record<string, number | undefined>][] = [];
  const steps = [...events.map((e) => ({ t: e[0], kind: e[1] as NotifyKind | null })), ...closeAt.map((t) => ({ t, kind: null }))].sort((a, b) => a.t - b.t);
  for (const s of steps) {
    if (s.kind === null) {
      const c = closeRateWindow(w, limit, s.t);
      w = c.window;
      if (c.digest) digests.push([s.t, c.digest.held]);
      continue;
    }
    const r = admitToRateWindow(w, s.kind, limit, s.t);
    w = r.window;
    if (r.digest) digests.push([s.t, r.digest.held]);
    if (r.admitted) sent.push([s.t, s.kind]);
  }
  return { sent, digests };
}

describe("rate limit with a digest", () => {
  it("a burst of 40 bans: the first 3 go out, the other 37 become one digest when the minute ends", () => {
    const bans = Array.from({ length: 40 }, (_, i) => [1000 + i * 10, "ban"] as [number, NotifyKind]);
    const r = feed({ count: 3, perSec: 60 }, bans, [30_000, 60_999, 61_000, 62_000]);
    expect(r.sent.map((s) => s[0])).toEqual([1000, 1010, 1020]);
    expect(r.digests).toEqual([[61_000, { ban: 37 }]]);
  });

  it("nothing held: no digest", () => {
    const r = feed({ count: 5, perSec: 60 }, [[0, "open"], [10, "ban"]], [60_000, 120_000]);
    expect(r.sent.length).toBe(2);
    expect(r.digests).toEqual([]);
  });

  it("counts each kind held; a message after the window first flushes the old digest", () => {
    const r = feed({ count: 1, perSec: 10 }, [[0, "open"], [1, "ban"], [2, "ban"], [3, "open"], [10_500, "login"]]);
    expect(r.sent).toEqual([[0, "open"], [10_500, "login"]]);
    expect(r.digests).toEqual([[10_500, { ban: 2, open: 1 }]]);
  });

  it("a sustained flood costs count + 1 messages per window", () => {
    const events = Array.from({ length: 600 }, (_, i) => [i * 500, "ban"] as [number, NotifyKind]);
    const closes = Array.from({ length: 6 }, (_, i) => (i + 1) * 60_000);
    const r = feed({ count: 2, perSec: 60 }, events, closes);
    expect(r.sent.length).toBe(10); // 2 a window over 5 windows
    expect(r.digests.length).toBe(5);
    expect(r.digests.every(([, held]) => held.ban === 118)).toBe(true);
    expect(r.sent.length + r.digests.reduce((n, [, h]) => n + (h.ban ?? 0), 0)).toBe(600);
  });

  it("never mutates the window it was given", () => {
    const w: RateWindow = { startedAt: 0, sent: 1, held: { ban: 1 } };
    admitToRateWindow(w, "ban", { count: 1, perSec: 60 }, 10);
    expect(w).toEqual({ startedAt: 0, sent: 1, held: { ban: 1 } });
  });
});

describe("retry back-off", () => {
  it.each([
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [3, 0.5, 4000],
    [9, 0.5, 256_000],
    [10, 0.5, RETRY_CAP_MS],
    [50, 0.5, RETRY_CAP_MS],
    [1, 0, 800],
    [1, 0.999_999, 1200],
    [0, 0.5, 1000],
  ])("after %d failures (random %d): %d ms", (failures, random, ms) => {
    expect(retryDelayMs(failures, random)).toBe(ms);
  });

  it("stops after MAX_DELIVERY_ATTEMPTS, having tried for roughly half an hour", () => {
    expect(shouldRetry(MAX_DELIVERY_ATTEMPTS - 1)).toBe(true);
    expect(shouldRetry(MAX_DELIVERY_ATTEMPTS)).toBe(false);
    let total = 0;
    for (let f = 1; f < MAX_DELIVERY_ATTEMPTS; f++) total += retryDelayMs(f, 0.5);
    expect(total).toBeGreaterThan(20 * 60_000);
    expect(total).toBeLessThan(40 * 60_000);
  });
});
