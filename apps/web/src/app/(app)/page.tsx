import type { Metadata } from "next";
import Link from "next/link";
import { LiveActivityChart } from "@/components/dashboard/activity-chart";
import { AutoRefresh } from "@/components/auto-refresh";
import { LiveDashboard } from "@/components/dashboard/live-dashboard";
import { PageHead } from "@/components/page-head";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { latestEventId, readLiveState } from "@/server/queries/live-state";
import { RANGES, readSeries, type RangeKey } from "@/server/queries/stats";
import { requireSession } from "@/server/session";
import { findUsers } from "@/server/queries/users";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  await requireSession();
  const { range: rangeParam } = await searchParams;
  const range: RangeKey = rangeParam && rangeParam in RANGES ? (rangeParam as RangeKey) : "24h";
  const db = getDb();
  const upToEventId = latestEventId(db);
  const series = readSeries(db, range);
  const doorCount = findDoors(db).length + findUsers(db).length;
  return (
    <>
      <PageHead title="Dashboard">
        Knocks as they happen, who is let in, who is banned, and whether the worker is keeping up.
      </PageHead>
      {doorCount === 0 ? (
        <p className="notice info" style={{ marginBottom: "1rem" }}>
          Nothing is protected yet. <Link href="/trusted">Trust your own network</Link>, then <Link href="/sequences/new">create a knock sequence</Link> or{" "}
          <Link href="/settings#import">import a knockd.conf</Link>.
        </p>
      ) : null}
      <LiveDashboard initial={readLiveState(db)} totals={{ ...series.totals, label: RANGES[range].label, upToEventId }} />
      <section className="card" aria-labelledby="h-activity" style={{ marginTop: "1rem" }}>
        <div className="card-head" style={{ marginBottom: "0.5rem" }}>
          <h2 id="h-activity">Activity, {RANGES[range].label}</h2>
          <nav className="toolbar" aria-label="Chart range">
            {(Object.keys(RANGES) as RangeKey[]).map((k) => (
              <Link key={k} href={`/?range=${k}`} className={`btn small${k === range ? " primary" : ""}`} aria-current={k === range ? "page" : undefined} scroll={false}>
                {k}
              </Link>
            ))}
          </nav>
        </div>
        <LiveActivityChart series={series} upToEventId={upToEventId} label={`Activity, ${RANGES[range].label}`} />
      </section>
      <AutoRefresh everyMs={60_000} />
    </>
  );
}
