"use client";

import type { LiveState } from "@/lib/live-types";
import { GrantsPanel, BansPanel, HealthPanel } from "./live-panels";
import { LiveLog } from "./live-log";
import { useKernelHeld } from "./use-kernel-held";
import { useLive } from "./use-live";

/** Everything on the dashboard that moves: one SSE connection feeds it all. */
export function LiveDashboard(props: { initial: LiveState; totals: { knocks: number; opens: number; bans: number; label: string; upToEventId: number } }) {
  const live = useLive(props.initial, props.totals.upToEventId);
  const totals = {
    knocks: props.totals.knocks + live.fresh.knocks,
    opens: props.totals.opens + live.fresh.opens,
    bans: props.totals.bans + live.fresh.bans,
    label: props.totals.label,
  };
  const grants = useKernelHeld(live.state.grants, live.skew);
  const bans = useKernelHeld(live.state.bans, live.skew);
  return (
    <div className="stack">
      <div className="stats">
        <Stat label="Open grants" value={grants.length} testId="stat-grants" />
        <Stat label="Active bans" value={bans.length} testId="stat-bans" />
        <Stat label={`Knocks, ${totals.label}`} value={totals.knocks} />
        <Stat label={`Opens / bans, ${totals.label}`} value={`${totals.opens} / ${totals.bans}`} />
      </div>
      <LiveLog live={live} />
      <GrantsPanel grants={grants} skew={live.skew} />
      <div className="grid-2">
        <BansPanel bans={bans} skew={live.skew} />
        <HealthPanel state={live.state} />
      </div>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: number | string; testId?: string }) {
  return (
    <div className="card stat">
      <span className="label">{label}</span>
      <span className="value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}
