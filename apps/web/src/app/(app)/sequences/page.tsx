import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DoorToggle } from "@/components/door-toggle";
import { describeAction, formatSteps } from "@/lib/format";
import { deleteDoorAction } from "@/server/actions/doors";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { requireSession } from "@/server/session";
import { SavedNotice } from "@/components/saved-notice";

export const metadata: Metadata = { title: "Sequences" };

export default async function SequencesPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { saved } = await searchParams;
  const rows = findDoors(getDb()).filter((d) => d.action !== "ban");
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Knock sequences</h1>
          <p>Doors that open (or close) ports for whoever knocks the right sequence. Decoys live under <Link href="/decoys">Decoys</Link>.</p>
        </div>
        <Link className="btn primary" href="/sequences/new">
          New sequence
        </Link>
      </div>
      <SavedNotice saved={saved} />
      <section className="card" aria-label="Sequences">
        {rows.length === 0 ? (
          <p className="empty">
            No sequences yet. A fresh Sesame protects nothing: <Link href="/sequences/new">create the first door</Link>.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Knocks</th>
                  <th scope="col">On success</th>
                  <th scope="col">Timeout</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="actions">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id} data-testid={`door-${d.name}`}>
                    <td data-label="Name">
                      <Link href={`/sequences/${d.id}`}>
                        <strong>{d.name}</strong>
                      </Link>
                      {d.source === "knockd-conf" ? (
                        <>
                          {" "}
                          <span className="badge info" title="Imported from knockd.conf">
                            knockd.conf
                          </span>
                        </>
                      ) : null}
                    </td>
                    <td className="mono" data-label="Knocks">{d.oneTimeSequences ? `one-time (${d.oneTimeSequences.length - d.oneTimeIndex} left)` : formatSteps(d.sequence)}</td>
                    <td data-label="On success">{describeAction(d)}</td>
                    <td className="nowrap" data-label="Timeout">{Math.round(d.seqTimeoutMs / 1000)} s</td>
                    <td data-label="Status">
                      <DoorToggle id={d.id} name={d.name} enabled={d.enabled} />
                    </td>
                    <td className="actions">
                      <div className="row" style={{ justifyContent: "flex-end" }}>
                        <Link className="btn small" href={`/sequences/${d.id}`}>
                          {d.action === "command" ? "View" : "Edit"}
                        </Link>
                        <ConfirmDelete action={deleteDoorAction} id={d.id} what={d.name} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
