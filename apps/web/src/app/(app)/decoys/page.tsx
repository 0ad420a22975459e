import { bans, desc } from "@sesame/db";
import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DoorToggle } from "@/components/door-toggle";
import { LocalTime } from "@/components/local-time";
import { SavedNotice } from "@/components/saved-notice";
import { Countdown } from "@/components/countdown";
import { formatDuration, formatSteps } from "@/lib/format";
import { deleteDoorAction } from "@/server/actions/doors";
import { unbanAction } from "@/server/actions/grants";
import { getDb } from "@/server/db";
import { findDoors } from "@/server/queries/doors";
import { readProtectedPorts } from "@/server/lockout";
import { requireSession } from "@/server/session";

export const metadata: Metadata = { title: "Decoys" };

export default async function DecoysPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { saved } = await searchParams;
  const db = getDb();
  const decoys = findDoors(db).filter((d) => d.action === "ban");
  const names = new Set(decoys.map((d) => d.name));
  const recent = db.select().from(bans).orderBy(desc(bans.createdAt)).limit(200).all();
  const active = recent.filter((b) => b.liftedAt === null);
  const past = recent.filter((b) => b.liftedAt !== null).slice(0, 50);
  const protectedPorts = readProtectedPorts(db);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Decoy sequences</h1>
          <p>Knocks that only a scanner would send. Whoever completes one is banned from the protected ports; trusted networks never are.</p>
        </div>
        <Link className="btn primary" href="/sequences/new?kind=ban">
          New decoy
        </Link>
      </div>
      <SavedNotice saved={saved} />
      <div className="stack">
        {decoys.length > 0 && protectedPorts.length === 0 ? (
          <p className="notice info">No port is protected yet, so a ban has nothing to drop. Bans apply to the ports of enabled open doors.</p>
        ) : null}
        <section className="card" aria-labelledby="h-decoys">
          <h2 id="h-decoys">Decoys</h2>
          {decoys.length === 0 ? (
            <p className="empty">
              No decoys. <Link href="/sequences/new?kind=ban">Add one</Link>, e.g. the sequence of a well-known knockd example config.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="cards">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Knocks</th>
                    <th scope="col">Ban for</th>
                    <th scope="col">Active bans</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="actions">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {decoys.map((d) => (
                    <tr key={d.id} data-testid={`door-${d.name}`}>
                      <td data-label="Name">
                        <Link href={`/sequences/${d.id}`}>
                          <strong>{d.name}</strong>
                        </Link>
                      </td>
                      <td className="mono" data-label="Knocks">{formatSteps(d.sequence)}</td>
                      <td data-label="Ban for">{formatDuration(d.durationSec)}</td>
                      <td className="num" data-label="Active bans">{active.filter((b) => b.doorName === d.name).length}</td>
                      <td data-label="Status">
                        <DoorToggle id={d.id} name={d.name} enabled={d.enabled} />
                      </td>
                      <td className="actions">
                        <div className="row" style={{ justifyContent: "flex-end" }}>
                          <Link className="btn small" href={`/sequences/${d.id}`}>
                            Edit
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

        <section className="card" aria-labelledby="h-bans">
          <h2 id="h-bans">Active bans ({active.length})</h2>
          {active.length === 0 ? (
            <p className="empty">Nobody is banned.</p>
          ) : (
            <div className="table-wrap">
              <table className="cards">
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Decoy</th>
                    <th scope="col">Since</th>
                    <th scope="col">Lifts in</th>
                    <th scope="col" className="actions">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {active.map((b) => (
                    <tr key={b.id} data-testid={`ban-${b.ip}`}>
                      <td className="mono" data-label="Address">{b.ip}</td>
                      <td data-label="Decoy">
                        {b.doorName}
                        {!names.has(b.doorName) ? <span className="muted small"> (deleted)</span> : null}
                      </td>
                      <td data-label="Since">
                        <LocalTime ts={b.createdAt} />
                      </td>
                      <td data-label="Lifts in">
                        <Countdown until={b.expiresAt} />
                      </td>
                      <td className="actions">
                        <form action={unbanAction}>
                          <input type="hidden" name="id" value={b.id} />
                          <button className="btn small" type="submit" aria-label={`Unban ${b.ip}`}>
                            Unban
                          </button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="h-past">
          <h2 id="h-past">Recently lifted</h2>
          {past.length === 0 ? (
            <p className="empty">None.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Decoy</th>
                    <th scope="col">Banned</th>
                    <th scope="col">Lifted</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {past.map((b) => (
                    <tr key={b.id}>
                      <td className="mono">{b.ip}</td>
                      <td>{b.doorName}</td>
                      <td>
                        <LocalTime ts={b.createdAt} />
                      </td>
                      <td>{b.liftedAt ? <LocalTime ts={b.liftedAt} /> : null}</td>
                      <td>{b.liftedReason === "unbanned" ? "unbanned by admin" : b.liftedReason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
