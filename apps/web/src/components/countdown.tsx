"use client";

import { useEffect, useState } from "react";
import { formatCountdown } from "@/lib/format";

/** Live "4:59" until `until` (ms); "expiring…" once past (the worker closes it). */
export function Countdown({ until, skew = 0 }: { until: number; skew?: number }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (now === null) return <span className="mono">…</span>;
  const left = until - (now + skew);
  return (
    <span className="mono" data-testid="countdown" aria-label={left > 0 ? `${formatCountdown(left)} left` : "expiring"}>
      {left > 0 ? formatCountdown(left) : "expiring…"}
    </span>
  );
}
