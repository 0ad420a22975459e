import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { formatPorts } from "@/lib/format";
import { getDb } from "@/server/db";
import { findCredentials, findUsers, isCredentialActive } from "@/server/queries/users";
import { requireSession } from "@/server/session";
import { UserForm } from "./user-form";
import { UserStatus } from "./user-status";
import { DoneNotice } from "@/components/saved-notice";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { saved } = await searchParams;
  const db = getDb();
  const now = Date.now();
  const rows = findUsers(db);
  const creds = findCredentials(db);
  const active = (userId: number, kind: "spa" | "totp") => creds.filter((c) => c.userId === userId && c.kind === kind && isCredentialActive(c, now)).length;
  const lastUsed = (userId: number) => Math.max(0, ...creds.filter((c) => c.userId === userId).map((c) => c.lastUsedAt ?? 0));

  return (
    <>
      <PageHead
        title="Users"
        action={
          <Link className="btn" href="/users/import">
            Import access.conf
          </Link>
        }
      >
        People (or machines) who open their ports with their own credentials: fwknop SPA keys or a rotating knock sequence from an
        authenticator app. Grants, the live log and history name them.
      </PageHead>
      <div className="stack">
        <DoneNotice saved={saved} />
        <section className="card" aria-labelledby="h-users">
          <div className="card-head">
            <h2 id="h-users">Users ({rows.length})</h2>
          </div>
          <DataTable rows={rows} columns={["Name", "Ports", "Sources", "Credentials", "Last used", "Status"]} empty="No users yet." cards actions>
            {(u) => (
              <tr key={u.id} data-testid={`user-${u.name}`}>
                <td data-label="Name">
                  <Link href={`/users/${u.id}`}>{u.name}</Link>
                  {u.comment ? <div className="small muted">{u.comment}</div> : null}
                </td>
                <td className="mono" data-label="Ports">{formatPorts(u.ports)}</td>
                <td className="mono" data-label="Sources">{u.sources.length ? u.sources.join(", ") : <span className="muted">anywhere</span>}</td>
                <td data-label="Credentials">
                  <div className="row">
                    {active(u.id, "totp") ? <span className="badge accent">TOTP</span> : null}
                    {active(u.id, "spa") ? <span className="badge accent">SPA</span> : null}
                    {!active(u.id, "totp") && !active(u.id, "spa") ? <span className="muted">none</span> : null}
                  </div>
                </td>
                <td data-label="Last used">{lastUsed(u.id) ? <LocalTime ts={lastUsed(u.id)} /> : <span className="muted">never</span>}</td>
                <td data-label="Status">
                  <UserStatus enabled={u.enabled} expiresAt={u.expiresAt} now={now} />
                </td>
                <td className="actions">
                  <Link className="btn small" href={`/users/${u.id}`}>
                    Edit
                  </Link>
                </td>
              </tr>
            )}
          </DataTable>
        </section>
        <Card headingId="h-new" title="New user">
          <UserForm user={{ name: "", comment: "", enabled: true, expiresAt: null, sources: "", ports: "22", grantSec: 30, maxGrantSec: 300, requireSourceAddress: false }} />
        </Card>
      </div>
    </>
  );
}
