"use client";

import { useEffect, useState } from "react";
import { ActiveBans } from "@/components/active-bans";
import { Card } from "@/components/card";
import { Countdown } from "@/components/countdown";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { formatAge, formatPorts } from "@/lib/format";
import type { BanView, GrantView, LiveState, WorkerHealth } from "@/lib/live-types";
import { extendGrantAction, revokeGrantAction } from "@/server/actions/grants";

export function GrantsPanel({ grants, skew }: { grants: readonly GrantView[]; skew: number }) {
  return (
    <Card headingId="h-grants" title={<>Open grants ({grants.length})</>}>
      <DataTable rows={grants} columns={["Address", "Door", "User", "Ports", "Closes in"]} empty="No port is open to anyone right now." cards actions>
        {(g) => (
          <tr key={g.id} data-testid={`grant-${g.ip}`}>
            <td className="mono" data-label="Address">{g.ip}</td>
            <td data-label="Door">{g.doorName}</td>
            <td data-label="User">{g.userName ?? <span className="muted">—</span>}</td>
            <td className="mono" data-label="Ports">{formatPorts(g.ports)}</td>
            <td data-label="Closes in">
              <div className="row">
                <Countdown until={g.expiresAt} skew={skew} />
                {!g.applied ? <span className="badge warn">applying</span> : null}
              </div>
            </td>
            <td className="actions">
              <div className="row" style={{ justifyContent: "flex-end" }}>
                <form action={extendGrantAction} className="row">
                  <input type="hidden" name="id" value={g.id} />
                  <label className="sr-only" htmlFor={`ext-${g.id}`}>
                    Extend {g.ip} by
                  </label>
                  <select id={`ext-${g.id}`} name="seconds" defaultValue="900" style={{ width: "auto", padding: "0.15rem 0.3rem", fontSize: "0.82rem" }}>
                    <option value="300">+5 min</option>
                    <option value="900">+15 min</option>
                    <option value="3600">+1 h</option>
                    <option value="14400">+4 h</option>
                  </select>
                  <button className="btn small" type="submit" aria-label={`Extend grant of ${g.ip}`}>
                    Extend
                  </button>
                </form>
                <form action={revokeGrantAction}>
                  <input type="hidden" name="id" value={g.id} />
                  <button className="btn small danger" type="submit" aria-label={`Revoke grant of ${g.ip}`}>
                    Revoke
                  </button>
                </form>
              </div>
            </td>
          </tr>
        )}
      </DataTable>
    </Card>
  );
}

export function BansPanel({ bans, skew }: { bans: readonly BanView[]; skew: number }) {
  return <ActiveBans bans={bans} skew={skew} />;
}

const STATE_TEXT: Record<WorkerHealth["state"], [string, string]> = {
  applied: ["applied", "ok"],
  pending: ["pending", "warn"],
  "worker-offline": ["worker offline", "danger"],
  "never-started": ["worker never started", "danger"],
};

export function HealthPanel({ state }: { state: LiveState }) {
  const h = state.health;
  // Tick the heartbeat age locally between server pushes.
  const [tick, setTick] = useState<{ at: number; now: number } | null>(null);
  useEffect(() => {
    const at = Date.now();
    setTick({ at, now: at });
    const t = setInterval(() => setTick({ at, now: Date.now() }), 1000);
    return () => clearInterval(t);
  }, [state]);
  const age = h.heartbeatAgeMs === null ? null : h.heartbeatAgeMs + (tick ? tick.now - tick.at : 0);
  const [text, tone] = STATE_TEXT[h.state];
  return (
    <Card headingId="h-health" title="Worker">
      <dl className="kv" data-testid="worker-health">
        <dt>Configuration</dt>
        <dd>
          <span className={`badge ${tone}`}>{text}</span>{" "}
          <span className="muted small">
            version {h.configVersion}
            {h.appliedConfigVersion !== null ? `, worker has ${h.appliedConfigVersion}` : ""}
          </span>
        </dd>
        <dt>Heartbeat</dt>
        <dd>{age === null ? <span className="muted">never</span> : formatAge(age)}</dd>
        <dt>Interfaces</dt>
        <dd className="mono">{h.interfaces.length ? h.interfaces.join(", ") : <span className="muted">—</span>}</dd>
        <dt>Firewall</dt>
        <dd>{h.backend ?? <span className="muted">—</span>}</dd>
        {h.pid !== null ? (
          <>
            <dt>Process</dt>
            <dd>
              pid {h.pid}
              {h.startedAt ? (
                <>
                  , since <LocalTime ts={h.startedAt} />
                </>
              ) : null}
            </dd>
          </>
        ) : null}
        <dt>Last error</dt>
        <dd>
          {h.lastError ? (
            <span style={{ color: "var(--danger)" }}>
              {h.lastError}
              {h.lastErrorAt ? (
                <span className="muted small">
                  {" "}
                  (<LocalTime ts={h.lastErrorAt} />)
                </span>
              ) : null}
            </span>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
      </dl>
      {h.state === "never-started" || h.state === "worker-offline" ? (
        <p className="notice danger small" style={{ marginTop: "0.75rem" }}>
          Changes are saved but not applied until the worker runs: <code>sudo npm start</code> (or the sesame-worker service).
        </p>
      ) : null}
    </Card>
  );
}
