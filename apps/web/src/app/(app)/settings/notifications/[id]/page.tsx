import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card } from "@/components/card";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { getDb } from "@/server/db";
import { findChannelView } from "@/server/notify/channels";
import { requireSession } from "@/server/session";
import { ChannelForm } from "../channel-form";

export const metadata: Metadata = { title: "Edit channel" };

export default async function EditChannelPage({ params }: { params: Promise<{ id: string }> }) {
  await requireSession();
  const { id: idText } = await params;
  const ch = /^\d+$/.test(idText) ? findChannelView(getDb(), Number(idText)) : undefined;
  if (!ch) notFound();
  return (
    <>
      <PageHead title={<>Edit {ch.name}</>}>Saved secrets stay as they are unless you type new ones.</PageHead>
      <div className="stack">
        <Card headingId="h-edit" title="Channel">
          <ChannelForm channel={ch} />
        </Card>
        <section className="card" aria-labelledby="h-recent">
          <h2 id="h-recent">Recent deliveries</h2>
          <DataTable rows={ch.recent} columns={["Queued", "Event", "Status", "Attempts", "Last error"]} empty="Nothing sent yet." cards>
            {(r) => (
              <tr key={r.id}>
                <td data-label="Queued"><LocalTime ts={r.createdAt} /></td>
                <td data-label="Event">{r.kind}</td>
                <td data-label="Status">
                  <span className={`badge ${r.status === "sent" ? "ok" : r.status === "dropped" ? "danger" : "warn"}`}>{r.status === "pending" ? "waiting" : r.status === "dropped" ? "given up" : "sent"}</span>
                  {r.status === "pending" && r.attempts > 0 ? <span className="muted small"> retry <LocalTime ts={r.nextAttemptAt} /></span> : null}
                </td>
                <td data-label="Attempts">{r.attempts}</td>
                <td data-label="Last error" className="small">{r.lastError ?? <span className="muted">—</span>}</td>
              </tr>
            )}
          </DataTable>
        </section>
      </div>
    </>
  );
}
