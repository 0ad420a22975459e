import { ipFamily } from "@sesame/core";
import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DataTable } from "@/components/data-table";
import { PageHead } from "@/components/page-head";
import { DoneNotice, SavedNotice } from "@/components/saved-notice";
import { deleteForwardAction } from "@/server/actions/forwards";
import { getDb } from "@/server/db";
import { findForwards, findOpeners, type ForwardRow } from "@/server/queries/forwards";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { requireSession } from "@/server/session";
import { ForwardForm, type ForwardFormValues } from "./forward-form";
import { ForwardStatus } from "./forward-status";
import { ForwardToggle } from "./forward-toggle";

export const metadata: Metadata = { title: "Gateway" };

const EMPTY: ForwardFormValues = { name: "", comment: "", protocol: "tcp", port: null, toAddress: "", toPort: null, dnat: true, enabled: true };

function insideText(f: ForwardRow): string {
  return f.toAddress.includes(":") ? `[${f.toAddress}]:${f.toPort}` : `${f.toAddress}:${f.toPort}`;
}

export default async function GatewayPage({ searchParams }: { searchParams: Promise<{ edit?: string; saved?: string; deleted?: string }> }) {
  await requireSession();
  const { edit, saved, deleted } = await searchParams;
  const db = getDb();
  const rows = findForwards(db);
  const openers = findOpeners(db);
  const health = getWorkerHealth(db);
  const editing = edit ? rows.find((r) => r.id === Number(edit)) : undefined;
  const families = new Set(rows.filter((r) => r.enabled).map((r) => ipFamily(r.toAddress)));

  return (
    <>
      <PageHead title="Gateway">
        Services on servers behind this host, reached through it. New connections to them pass only for trusted networks and for
        addresses a door or user granted the service&apos;s port, never for banned ones; established sessions are never cut.
      </PageHead>
      <div className="stack">
        <SavedNotice saved={saved} />
        <DoneNotice saved={deleted ? `removed ${deleted}` : undefined} />
        <ForwardStatus health={health} enabledCount={rows.filter((r) => r.enabled).length} families={families} />

        <Card headingId="h-form" title={editing ? `Edit ${editing.name}` : "Add a forward"}>
          <ForwardForm
            key={editing?.id ?? "new"}
            forward={editing ? { id: editing.id, name: editing.name, comment: editing.comment, protocol: editing.protocol, port: editing.port, toAddress: editing.toAddress, toPort: editing.toPort, dnat: editing.dnat, enabled: editing.enabled } : EMPTY}
          />
        </Card>

        <section className="card" aria-labelledby="h-list">
          <div className="card-head">
            <h2 id="h-list">Forwards ({rows.filter((r) => r.enabled).length} enabled)</h2>
          </div>
          <DataTable rows={rows} columns={["Name", "Clients connect to", "Inside service", "Opened by", "Status"]} empty="No forwards: nothing behind this host is gated." cards actions testId="forwards">
            {(f) => {
              const by = openers(f.protocol, f.port);
              return (
                <tr key={f.id} data-testid={`forward-${f.name}`}>
                  <td data-label="Name">
                    <Link href={`/gateway?edit=${f.id}`}>{f.name}</Link>
                    {f.comment ? <div className="small muted">{f.comment}</div> : null}
                  </td>
                  <td className="mono" data-label="Clients connect to">
                    {f.dnat ? `this host, ${f.protocol}/${f.port}` : `${f.toAddress}, ${f.protocol}/${f.port}`}
                    <div>
                      <span className={`badge ${f.dnat ? "accent" : ""}`}>{f.dnat ? "DNAT" : "routed"}</span>
                    </div>
                  </td>
                  <td className="mono" data-label="Inside service">{insideText(f)}</td>
                  <td data-label="Opened by">
                    {by.length ? by.join(", ") : <span className="badge warn" title="Only trusted networks reach it">no door or user opens {f.protocol}/{f.port}</span>}
                  </td>
                  <td data-label="Status">
                    <ForwardToggle id={f.id} name={f.name} enabled={f.enabled} />
                  </td>
                  <td className="actions">
                    <ConfirmDelete action={deleteForwardAction} id={f.id} what={f.name} label="Remove" />
                  </td>
                </tr>
              );
            }}
          </DataTable>
        </section>
      </div>
    </>
  );
}
