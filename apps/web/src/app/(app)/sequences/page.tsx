import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { DoorRow, doorColumns } from "@/components/door-row";
import { PageHead } from "@/components/page-head";
import { SavedNotice } from "@/components/saved-notice";
import { describeAction, formatSteps } from "@/lib/format";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { requireSession } from "@/server/session";

export const metadata: Metadata = { title: "Sequences" };

export default async function SequencesPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { saved } = await searchParams;
  const rows = findDoors(getDb()).filter((d) => d.action !== "ban");
  return (
    <>
      <PageHead
        title="Knock sequences"
        action={
          <Link className="btn primary" href="/sequences/new">
            New sequence
          </Link>
        }
      >
        Doors that open (or close) ports for whoever knocks the right sequence. Decoys live under <Link href="/decoys">Decoys</Link>.
      </PageHead>
      <SavedNotice saved={saved} />
      <section className="card" aria-label="Sequences">
        <DataTable
          rows={rows}
          columns={doorColumns(["Knocks", "On success", "Timeout"])}
          empty={
            <>
              No sequences yet. A fresh Sesame protects nothing: <Link href="/sequences/new">create the first door</Link>.
            </>
          }
          cards
          actions
        >
          {(d) => (
            <DoorRow
              key={d.id}
              door={d}
              nameExtra={
                d.source === "knockd-conf" ? (
                  <>
                    {" "}
                    <span className="badge info" title="Imported from knockd.conf">
                      knockd.conf
                    </span>
                  </>
                ) : null
              }
              editLabel={d.action === "command" ? "View" : "Edit"}
            >
              <td className="mono" data-label="Knocks">{d.oneTimeSequences ? `one-time (${d.oneTimeSequences.length - d.oneTimeIndex} left)` : formatSteps(d.sequence)}</td>
              <td data-label="On success">{describeAction(d)}</td>
              <td className="nowrap" data-label="Timeout">{Math.round(d.seqTimeoutMs / 1000)} s</td>
            </DoorRow>
          )}
        </DataTable>
      </section>
    </>
  );
}
