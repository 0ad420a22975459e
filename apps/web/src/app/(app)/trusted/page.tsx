import { cidrContains, normalizeIp, parseCidr } from "@sesame/core";
import type { Metadata } from "next";
import { Card } from "@/components/card";
import { Countdown } from "@/components/countdown";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { getClientAddress } from "@/server/client-address";
import { getDb } from "@/server/db";
import { readProtectedPorts } from "@/server/lockout";
import { findTrustedNetworks } from "@/server/queries/trusted";
import { requireSession } from "@/server/session";
import { TrustedDelete } from "./trusted-delete";
import { TrustedForm } from "./trusted-form";

export const metadata: Metadata = { title: "Trusted networks" };

export default async function TrustedPage({ searchParams }: { searchParams: Promise<{ check?: string }> }) {
  await requireSession();
  const { check } = await searchParams;
  const db = getDb();
  const now = Date.now();
  const rows = findTrustedNetworks(db);
  const adminIp = await getClientAddress();
  const isActive = (r: (typeof rows)[number]) => r.expiresAt == null || r.expiresAt > now;
  const adminCovered = rows.some((r) => isActive(r) && cidrContains(r.cidr, adminIp));
  const protectedPorts = readProtectedPorts(db);
  const own = parseCidr(adminIp);
  const suggestion = own.ok ? (own.cidr.family === 4 ? `${adminIp}/32` : `${adminIp}/128`) : "10.0.0.0/8";

  const checkIp = check?.trim() ? normalizeIp(check.trim()) : null;
  const matches = checkIp ? rows.filter((r) => cidrContains(r.cidr, checkIp)) : [];

  return (
    <>
      <PageHead title="Trusted networks">
        Addresses here reach protected ports without knocking and are never banned by a decoy.
      </PageHead>
      <div className="stack">
        {!adminCovered ? (
          <p className="notice warn" role="note">
            Your address <code>{adminIp}</code> is not in any trusted network
            {protectedPorts.length ? " and some ports are protected" : ""}. Add it (or its network) so a configuration mistake cannot lock
            you out.
          </p>
        ) : (
          <p className="notice ok" role="note">
            Your address <code>{adminIp}</code> is trusted.
          </p>
        )}

        <Card headingId="h-add" title="Add a network">
          <TrustedForm suggestion={suggestion} />
        </Card>

        <section className="card" aria-labelledby="h-list">
          <div className="card-head">
            <h2 id="h-list">Trusted ({rows.filter(isActive).length} active)</h2>
          </div>
          <DataTable rows={rows} columns={["Network", "Comment", "Expires", "Status"]} empty="No trusted networks." cards actions>
            {(r) => (
              <tr key={r.id} data-testid={`trusted-${r.cidr}`}>
                <td className="mono" data-label="Network">{r.cidr}</td>
                <td data-label="Comment">{r.comment || <span className="muted">—</span>}</td>
                <td data-label="Expires">
                  {r.expiresAt ? (
                    <>
                      <LocalTime ts={r.expiresAt} />
                      {isActive(r) ? (
                        <span className="muted" title="The kernel stops trusting it when due, even with the worker down">
                          {" "}
                          (<Countdown until={r.expiresAt} /> left)
                        </span>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td data-label="Status">
                  <div className="row">
                    {isActive(r) ? <span className="badge ok">active</span> : <span className="badge">expired</span>}
                    {cidrContains(r.cidr, adminIp) ? <span className="badge accent">includes you</span> : null}
                  </div>
                </td>
                <td className="actions">
                  <TrustedDelete id={r.id} cidr={r.cidr} />
                </td>
              </tr>
            )}
          </DataTable>
        </section>

        <Card headingId="h-check" title="Is this address trusted?">
          <form method="get" className="inline-form" role="search">
            <div className="field">
              <label htmlFor="check">Address</label>
              <input id="check" name="check" defaultValue={check ?? ""} placeholder={adminIp} autoComplete="off" spellCheck={false} />
            </div>
            <button className="btn" type="submit">
              Check
            </button>
          </form>
          {check ? (
            <div style={{ marginTop: "0.75rem" }} role="status" data-testid="trust-check">
              {!checkIp ? (
                <p className="field-error">&quot;{check}&quot; is not an IPv4 or IPv6 address.</p>
              ) : matches.some(isActive) ? (
                <p className="notice ok">
                  <strong>{checkIp} is trusted</strong> by {matches.filter(isActive).map((m) => m.cidr).join(", ")}.
                </p>
              ) : (
                <p className="notice warn">
                  <strong>{checkIp} is not trusted.</strong>
                  {matches.length ? ` (It is in ${matches.map((m) => m.cidr).join(", ")}, which expired.)` : ""} It must knock to reach protected ports.
                </p>
              )}
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
