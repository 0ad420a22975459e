import { EVENT_KINDS, HistoryFilterSchema, parseStoredPorts } from "@sesame/core";
import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { Pager } from "@/components/pager";
import { describeEvent, eventTone } from "@/lib/describe-event";
import { SPA_DOOR_NAME } from "@sesame/core";
import { formatPorts } from "@/lib/format";
import { issuesToFieldErrors } from "@/lib/form-state";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { findEventPage, findGrantPage, parseCursor } from "@/server/queries/history";
import { requireSession } from "@/server/session";
import { HistoryFilters } from "./history-filters";

export const metadata: Metadata = { title: "History" };

type Params = Record<string, string | undefined>;

function hrefWith(params: Params, patch: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...patch })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/history?${s}` : "/history";
}

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requireSession();
  const raw = await searchParams;
  const view = raw.view === "opens" ? "opens" : "events";
  const filterParams: Params = { ip: raw.ip, door: raw.door, user: raw.user, kind: raw.kind, from: raw.from, to: raw.to, pageSize: raw.pageSize };
  const parsed = HistoryFilterSchema.safeParse(filterParams);
  const db = getDb();
  // The SPA door is no row of doors but names every SPA open and refusal.
  const doorNames = [...new Set([...findDoors(db).map((d) => d.name), SPA_DOOR_NAME])];
  const keep: Params = { view: view === "opens" ? "opens" : undefined, ...filterParams };
  const exportHref = `/api/history/export?${new URLSearchParams(Object.entries(keep).filter((e): e is [string, string] => !!e[1])).toString()}`;
  const started = performance.now();

  let body: React.ReactNode;
  if (!parsed.success) {
    body = <p className="notice danger">Fix the filter above to see results.</p>;
  } else if (view === "opens") {
    const f = parsed.data;
    const beforeId = raw.beforeId && /^\d+$/.test(raw.beforeId) ? Number(raw.beforeId) : null;
    const page = findGrantPage(db, f, { beforeId, pageSize: f.pageSize });
    body = (
      <>
        <DataTable rows={page.rows} columns={["Opened", "Address", "Door", "User", "Ports", "Closed", "How"]} empty="No OPEN SESAME matches these filters." testId="history-table">
          {(g) => (
            <tr key={g.id}>
              <td>
                <LocalTime ts={g.openedAt} />
              </td>
              <td className="mono">{g.ip}</td>
              <td>{g.doorName}</td>
              <td>{g.userName ?? ""}</td>
              <td className="mono">{formatPorts(parseStoredPorts(g.ports))}</td>
              <td>{g.closedAt ? <LocalTime ts={g.closedAt} /> : <span className="badge ok">open</span>}</td>
              <td>{g.closedReason ?? ""}</td>
            </tr>
          )}
        </DataTable>
        <Pager newest={beforeId ? hrefWith(keep, {}) : undefined} older={page.older ? hrefWith(keep, { beforeId: String(page.older) }) : undefined} />
      </>
    );
  } else {
    const f = parsed.data;
    const before = parseCursor(raw.before);
    const after = parseCursor(raw.after);
    const page = findEventPage(db, f, { before, after, pageSize: f.pageSize });
    body = (
      <>
        <DataTable rows={page.rows} columns={["Time", "Address", "Door", "User", "Kind", "Event"]} empty="No events match these filters." testId="history-table">
          {(e) => (
            <tr key={e.id}>
              <td>
                <LocalTime ts={e.ts} />
              </td>
              <td className="mono">{e.ip ?? ""}</td>
              <td>{e.doorName ?? ""}</td>
              <td>{e.userName ?? ""}</td>
              <td>
                <span className={`badge ${eventTone(e.kind)}`}>{e.kind}</span>
              </td>
              <td className="mono small">{describeEvent(e)}</td>
            </tr>
          )}
        </DataTable>
        <Pager
          newest={before || after ? hrefWith(keep, {}) : undefined}
          newer={page.newer ? hrefWith(keep, { after: page.newer }) : undefined}
          older={page.older ? hrefWith(keep, { before: page.older }) : undefined}
        />
      </>
    );
  }
  const tookMs = performance.now() - started;

  return (
    <>
      <PageHead
        title="History"
        action={
          <a className="btn" href={exportHref} download>
            Download CSV
          </a>
        }
      >
        Every event the worker recorded, and every OPEN SESAME with what it opened.
      </PageHead>
      <div className="stack">
        <nav className="toolbar" aria-label="History view">
          <Link className={`btn small${view === "events" ? " primary" : ""}`} href={hrefWith({ ...filterParams }, {})} aria-current={view === "events" ? "page" : undefined}>
            All events
          </Link>
          <Link className={`btn small${view === "opens" ? " primary" : ""}`} href={hrefWith({ ...filterParams, kind: undefined }, { view: "opens" })} aria-current={view === "opens" ? "page" : undefined}>
            OPEN SESAME history
          </Link>
        </nav>
        <section className="card" aria-label="Filters">
          <HistoryFilters
            view={view}
            values={filterParams}
            errors={parsed.success ? {} : issuesToFieldErrors(parsed.error.issues)}
            doors={doorNames}
            kinds={[...EVENT_KINDS]}
          />
        </section>
        <section className="card" aria-label="Results">
          {body}
          <p className="muted small" style={{ margin: "0.5rem 0 0" }}>
            Query took {tookMs.toFixed(0)} ms.
          </p>
        </section>
      </div>
    </>
  );
}
