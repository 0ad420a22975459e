"use client";

import { useEffect, useState } from "react";
import { KERNEL_EXPIRY_SLACK_MS } from "@/lib/live-types";

/**
 * The rows the kernel still holds: a grant or ban leaves the table when its
 * kernel timeout has passed (expiresAt + KERNEL_EXPIRY_SLACK_MS, on the
 * server's clock), on a timer of its own rather than at the next state push.
 */
export function useKernelHeld<T extends { expiresAt: number }>(rows: readonly T[], skew: number): readonly T[] {
  const [now, setNow] = useState<number | null>(null);
  const held = now === null ? rows : rows.filter((r) => r.expiresAt + KERNEL_EXPIRY_SLACK_MS > now + skew);
  const next = Math.min(...held.map((r) => r.expiresAt + KERNEL_EXPIRY_SLACK_MS));
  useEffect(() => {
    if (now === null) {
      setNow(Date.now());
      return;
    }
    if (!Number.isFinite(next)) return;
    const t = setTimeout(() => setNow(Date.now()), Math.max(0, next - skew - Date.now()));
    return () => clearTimeout(t);
  }, [next, skew, now]);
  return held;
}
