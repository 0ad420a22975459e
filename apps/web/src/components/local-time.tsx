"use client";

import { useSyncExternalStore } from "react";
import { formatTimestamp } from "@/lib/format";

const subscribe = () => () => {};

/** A timestamp in the browser's time zone (UTC during server rendering, then local). */
export function LocalTime({ ts }: { ts: number }) {
  const isClient = useSyncExternalStore(subscribe, () => true, () => false);
  return (
    <time dateTime={new Date(ts).toISOString()} className="nowrap">
      {formatTimestamp(ts, !isClient)}
    </time>
  );
}
