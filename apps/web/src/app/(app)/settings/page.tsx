import type { Metadata } from "next";
import { PageHead } from "@/components/page-head";
import { findApiTokens } from "@/server/api-tokens";
import { getDb } from "@/server/db";
import { readMetricsToken } from "@/server/metrics/token";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { readAllSettings, readAttemptCapLimit } from "@/server/settings";
import { requireSession } from "@/server/session";
import { ApiTokens } from "./api-tokens";
import { ImportForm } from "./import-form";
import { MetricsTokenForm } from "./metrics-token-form";
import { SettingsForm } from "./settings-form";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requireSession();
  const db = getDb();
  const s = readAllSettings(db);
  const health = getWorkerHealth(db);
  const metricsToken = readMetricsToken(db);
  return (
    <>
      <PageHead title="Settings">
        Where the worker listens, how it filters, and how long history is kept.
      </PageHead>
      <div className="stack">
        <section className="card" aria-labelledby="h-worker-settings">
          <h2 id="h-worker-settings">Worker</h2>
          {health.interfaces.length ? (
            <p className="muted small">
              The worker currently listens on <code>{health.interfaces.join(", ")}</code> with {health.backend}.
            </p>
          ) : null}
          <SettingsForm current={s} attemptCapLimit={readAttemptCapLimit()} />
        </section>
        <section className="card" aria-labelledby="h-import" id="import">
          <h2 id="h-import">Import a knockd.conf</h2>
          <ImportForm />
        </section>
        <section className="card" aria-labelledby="h-metrics" id="metrics">
          <h2 id="h-metrics">Metrics</h2>
          <p>
            Prometheus metrics at <code>/metrics</code>: knocks and SPA packets by outcome, opens, bans, open grants, pending
            attempts, capture drops, firewall call latency, the worker&apos;s write queue, heartbeat and memory. Prometheus sends the token with
            <code> authorization: credentials_file</code> (scrape config in the README).
          </p>
          <MetricsTokenForm current={metricsToken ? { prefix: metricsToken.prefix, createdAt: metricsToken.createdAt } : null} />
        </section>
        <section className="card" aria-labelledby="h-api-tokens" id="api-tokens">
          <h2 id="h-api-tokens">API tokens</h2>
          <p>
            Scoped tokens for the automation API at <code>/api/v1</code> (<code>docs/api/openapi.yaml</code>): a CI job trusts its
            runner for an hour, a script lists open grants, an incident responder bans an address. Each token is shown once and
            stored hashed; every change made with one is in the audit log.
          </p>
          <ApiTokens tokens={findApiTokens(db).map(({ sha256: _hash, ...t }) => t)} now={Date.now()} />
        </section>
        <section className="card" aria-labelledby="h-export">
          <h2 id="h-export">Export</h2>
          <p>Download the current doors as a knockd.conf (open/close/ban doors become the equivalent iptables commands, with notes).</p>
          <a className="btn" href="/api/config/knockd.conf" download>
            Download knockd.conf
          </a>
        </section>
      </div>
    </>
  );
}
