import type { Metadata } from "next";
import Link from "next/link";
import { PageHead } from "@/components/page-head";
import { getDb } from "@/server/db";
import { findChannelViews } from "@/server/notify/channels";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { readAllSettings, readAttemptCapLimit } from "@/server/settings";
import { requireSession } from "@/server/session";
import { ImportForm } from "./import-form";
import { SettingsForm } from "./settings-form";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requireSession();
  const db = getDb();
  const s = readAllSettings(db);
  const health = getWorkerHealth(db);
  const channels = findChannelViews(db, 0);
  const failing = channels.filter((c) => c.enabled && c.lastErrorAt !== null && (c.lastSuccessAt === null || c.lastErrorAt > c.lastSuccessAt));
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
