"use client";

import { useActionState } from "react";
import { LocalTime } from "@/components/local-time";
import type { MetricsTokenState } from "@/server/actions/metrics-token";
import { metricsTokenAction } from "@/server/actions/metrics-token";
import { ShownOnce } from "@/components/shown-once";

const IDLE: MetricsTokenState = { status: "idle" };

/** Create, rotate or remove the /metrics bearer token; a new token is shown once, here. */
export function MetricsTokenForm({ current }: { current: { prefix: string; createdAt: number } | null }) {
  const [state, formAction, pending] = useActionState(metricsTokenAction, IDLE);
  const hasToken = state.token ? true : state.message?.startsWith("Metrics token removed") ? false : current !== null;
  return (
    <div className="stack">
      {state.token ? (
        <ShownOnce message={state.message} secret={state.token} testId="metrics-token" />
      ) : state.message ? (
        <p className={`notice ${state.status === "error" ? "warn" : "ok"}`} role="status">
          {state.message}
        </p>
      ) : null}
      <p data-testid="metrics-token-state">
        {hasToken && current && !state.token ? (
          <>
            A token is set (<code>{current.prefix}…</code>, created <LocalTime ts={current.createdAt} />): every scrape must send it.
          </>
        ) : hasToken ? (
          <>A token is set: every scrape must send it.</>
        ) : (
          <>No token is set: only this host (loopback) may scrape <code>/metrics</code>.</>
        )}
      </p>
      <div className="row">
        <form action={formAction}>
          <input type="hidden" name="intent" value="rotate" />
          <button className="btn primary" type="submit" disabled={pending}>
            {hasToken ? "Rotate token" : "Create token"}
          </button>
        </form>
        {hasToken ? (
          <form action={formAction}>
            <input type="hidden" name="intent" value="remove" />
            <button className="btn danger" type="submit" disabled={pending}>
              Remove token
            </button>
          </form>
        ) : null}
      </div>
    </div>
  );
}
