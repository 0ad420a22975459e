import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Card } from "@/components/card";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { formatPorts, formatSteps } from "@/lib/format";
import { revokeCredentialAction } from "@/server/actions/users";
import { getDb } from "@/server/db";
import { findCredentials, findUser, isCredentialActive } from "@/server/queries/users";
import { requireSession } from "@/server/session";
import { UserForm } from "../user-form";
import { UserStatus } from "../user-status";
import { CredentialPanel } from "./credential-panel";
import { UserActivity } from "./user-activity";
import { findUserActivity } from "@/server/queries/user-activity";
import { UserActions } from "./user-actions";
import { DoneNotice } from "@/components/saved-notice";

export const metadata: Metadata = { title: "User" };

export default async function UserPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { id: idText } = await params;
  const { saved } = await searchParams;
  const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
  const db = getDb();
  const user = Number.isInteger(id) ? findUser(db, id) : undefined;
  if (!user) notFound();
  const now = Date.now();
  const creds = findCredentials(db, user.id);
  const hasActive = { totp: creds.some((c) => c.kind === "totp" && isCredentialActive(c, now)), spa: creds.some((c) => c.kind === "spa" && isCredentialActive(c, now)) };

  return (
    <>
      <PageHead
        title={user.name}
        action={
          <Link className="btn" href="/users">
            Back
          </Link>
        }
      >
        <UserStatus enabled={user.enabled} expiresAt={user.expiresAt} now={now} /> opens <code>{formatPorts(user.ports)}</code>
        {user.sources.length ? ` from ${user.sources.join(", ")}` : " from anywhere"}.
      </PageHead>
      <div className="stack">
        <DoneNotice saved={saved} />
        <Card headingId="h-creds" title="Credentials">
          <p className="small muted">
            Key material is shown once, when it is generated; it is never shown again. Generating a credential of a kind the user already
            has rotates it: the old one keeps working for the grace period (0: it stops at once).
          </p>
          <CredentialPanel userId={user.id} hasActive={hasActive} />
          <DataTable rows={creds} columns={["Kind", "Created", "Works until", "Last used", "Status"]} empty="No credentials yet." cards actions testId="credentials">
            {(c) => (
              <tr key={c.id} data-testid={`credential-${c.id}`}>
                <td data-label="Kind">{c.kind === "totp" ? "TOTP" : `SPA (HMAC ${c.spaHmacDigest ?? "sha256"})`}</td>
                <td data-label="Created"><LocalTime ts={c.createdAt} /></td>
                <td data-label="Works until">{c.expiresAt ? <LocalTime ts={c.expiresAt} /> : <span className="muted">no end</span>}</td>
                <td data-label="Last used">{c.lastUsedAt ? <LocalTime ts={c.lastUsedAt} /> : <span className="muted">never</span>}</td>
                <td data-label="Status">
                  {c.revokedAt !== null ? <span className="badge danger">revoked</span> : isCredentialActive(c, now) ? (c.expiresAt ? <span className="badge warn">rotating out</span> : <span className="badge ok">active</span>) : <span className="badge">expired</span>}
                </td>
                <td className="actions">{isCredentialActive(c, now) ? <ConfirmDelete action={revokeCredentialAction} id={c.id} what={`this ${c.kind === "totp" ? "TOTP secret" : "SPA key"}`} label="Revoke" /> : null}</td>
              </tr>
            )}
          </DataTable>
        </Card>
        <UserActivity name={user.name} events={findUserActivity(db, user)} />
        <Card headingId="h-edit" title="Edit">
          <UserForm user={{ id: user.id, name: user.name, comment: user.comment, enabled: user.enabled, expiresAt: user.expiresAt, sources: user.sources.join(", "), ports: formatSteps(user.ports).split(" ").join(", "), grantSec: user.grantSec, maxGrantSec: user.maxGrantSec, requireSourceAddress: user.requireSourceAddress }} />
        </Card>
        <Card headingId="h-danger" title="Expire, revoke, delete">
          <UserActions id={user.id} name={user.name} />
        </Card>
      </div>
    </>
  );
}
