import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { Pager } from "@/components/pager";
import { summarizeAuditEntry } from "@/server/audit-summary";
import { getDb } from "@/server/db";
import { findAuditPage } from "@/server/queries/audit";
import { requireSession } from "@/server/session";

export const metadata: Metadata = { title: "Audit log" };

const PAGE = 50;

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireSession();
  const { before } = await searchParams;
  const beforeId = before && /^\d+$/.test(before) ? Number(before) : null;
  const { rows: page, olderThan: older } = findAuditPage(getDb(), beforeId, PAGE);
  return (
    <>
      <PageHead title="Audit log">
        Who changed what, and when. Every configuration change is recorded with its before and after, and every login, failed login and logout with its address.
      </PageHead>
      <section className="card" aria-label="Audit entries">
        <DataTable rows={page} columns={["When", "Who", "What", "Details"]} empty="No changes recorded yet." testId="audit-table">
          {(r) => (
            <tr key={r.id}>
              <td>
                <LocalTime ts={r.ts} />
              </td>
              <td className="mono small">{r.actor}</td>
              <td>
                <span className="badge">{r.action}</span> {r.entity}
                {r.entityId ? <span className="muted"> #{r.entityId}</span> : null} <span className="small">{summarizeAuditEntry(r)}</span>
              </td>
              <td>
                {r.before != null || r.after != null ? (
                  <details>
                    <summary>before / after</summary>
                    <div className="grid-2" style={{ marginTop: "0.5rem", minWidth: "min(40rem, 80vw)" }}>
                      <div>
                        <div className="muted small">Before</div>
                        <pre className="code json">{r.before == null ? "—" : JSON.stringify(r.before, null, 2)}</pre>
                      </div>
                      <div>
                        <div className="muted small">After</div>
                        <pre className="code json">{r.after == null ? "—" : JSON.stringify(r.after, null, 2)}</pre>
                      </div>
                    </div>
                  </details>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          )}
        </DataTable>
        <Pager newest={beforeId ? "/audit" : undefined} older={older ? `/audit?before=${older}` : undefined} />
      </section>
    </>
  );
}
