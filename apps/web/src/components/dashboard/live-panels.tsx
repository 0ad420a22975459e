"use client";

import { useEffect, useState } from "react";
import { Countdown } from "@/components/countdown";
import { LocalTime } from "@/components/local-time";
import { formatAge, formatPorts } from "@/lib/format";
import type { LiveState, WorkerHealth } from "@/lib/live-types";
import { extendGrantAction, revokeGrantAction, unbanAction } from "@/server/actions/grants";
import type { Live } from "./use-live";

export function GrantsPanel({ live }: { live: Live }) {
  const grants = live.state.grants;
  return (
    <section className="card" aria-labelledby="h-grants">
      <h2 id="h-grants">Open grants ({grants.length})</h2>
      {grants.length === 0 ? (
        <p className="empty">No port is open to anyone right now.</p>
      ) : (
        <div className="table-wrap">
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Door</th>
                <th scope="col">Ports</th>
                <th scope="col">Closes in</th>
                <th scope="col" className="actions">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => (
                <tr key={g.id} data-testid={`grant-${g.ip}`}>
                  <td className="mono" data-label="Address">{g.ip}</td>
                  <td data-label="Door">{g.doorName}</td>
                  <td className="mono" data-label="Ports">{formatPorts(g.ports)}</td>
                  <td data-label="Closes in">
                    <div className="row">
                      <Countdown until={g.expiresAt} skew={live.skew} />
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
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function BansPanel({ live }: { live: Live }) {
  const bans = live.state.bans;
  return (
    <section className="card" aria-labelledby="h-bans">
      <h2 id="h-bans">Active bans ({bans.length})</h2>
      {bans.length === 0 ? (
        <p className="empty">Nobody is banned.</p>
      ) : (
        <div className="table-wrap">
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Decoy</th>
                <th scope="col">Lifts in</th>
                <th scope="col" className="actions">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {bans.map((b) => (
                <tr key={b.id} data-testid={`ban-${b.ip}`}>
                  <td className="mono" data-label="Address">{b.ip}</td>
                  <td data-label="Decoy">{b.doorName}</td>
                  <td data-label="Lifts in">
                    <Countdown until={b.expiresAt} skew={live.skew} />
                  </td>
                  <td className="actions">
                    <form action={unbanAction}>
                      <input type="hidden" name="id" value={b.id} />
                      <button className="btn small" type="submit" aria-label={`Unban ${b.ip}`}>
                        Unban
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
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
    <section className="card" aria-labelledby="h-health">
      <h2 id="h-health">Worker</h2>
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
    </section>
  );
}
