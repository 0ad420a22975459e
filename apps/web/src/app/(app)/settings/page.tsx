import type { Metadata } from "next";
import Link from "next/link";
import { PageHead } from "@/components/page-head";
import { findApiTokens } from "@/server/api-tokens";
import { getDb } from "@/server/db";
import { findChannelViews } from "@/server/notify/channels";
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
  const channels = findChannelViews(db, 0);
  const failing = channels.filter((c) => c.enabled && c.lastErrorAt !== null && (c.lastSuccessAt === null || c.lastErrorAt > c.lastSuccessAt));
  const metricsToken = readMetricsToken(db);
  return (
    <>
      <PageHead title="Settings">
        Where the worker listens, how it filters, how long history is kept, and who is told what happens.
      </PageHead>
      <div className="stack">
        <section className="card" aria-labelledby="h-notifications" data-testid="notifications-summary">
          <div className="card-head">
            <h2 id="h-notifications">Notifications</h2>
            <Link className="btn" href="/settings/notifications">
              Manage channels
            </Link>
          </div>
          <p>
            {channels.length === 0
              ? "No channels yet: a webhook (ntfy, Slack, Matrix, JSON) or an e-mail address to tell about opens, bans, admin actions, the worker and locked logins."
              : `${channels.filter((c) => c.enabled).length} of ${channels.length} channel${channels.length === 1 ? "" : "s"} enabled: ${channels.map((c) => c.name).join(", ")}.`}
            {failing.length ? <span className="field-error"> Failing: {failing.map((c) => c.name).join(", ")}.</span> : null}
          </p>
        </section>
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
