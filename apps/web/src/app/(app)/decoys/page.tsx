import type { Metadata } from "next";
import Link from "next/link";
import { ActiveBans } from "@/components/active-bans";
import { Card } from "@/components/card";
import { DataTable } from "@/components/data-table";
import { DoorRow, doorColumns } from "@/components/door-row";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { SavedNotice } from "@/components/saved-notice";
import { formatDuration, formatSteps } from "@/lib/format";
import { getDb } from "@/server/db";
import { findRecentBans } from "@/server/queries/bans";
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
  const recent = findRecentBans(db);
  const active = recent.filter((b) => b.liftedAt === null);
  const past = recent.filter((b) => b.liftedAt !== null).slice(0, 50);
  const protectedPorts = readProtectedPorts(db);
  return (
    <>
      <PageHead
        title="Decoy sequences"
        action={
          <Link className="btn primary" href="/sequences/new?kind=ban">
            New decoy
          </Link>
        }
      >
        Knocks that only a scanner would send. Whoever completes one is banned from the protected ports; trusted networks never are.
      </PageHead>
      <SavedNotice saved={saved} />
      <div className="stack">
        {decoys.length > 0 && protectedPorts.length === 0 ? (
          <p className="notice info">No port is protected yet, so a ban has nothing to drop. Bans apply to the ports of enabled open doors.</p>
        ) : null}
        <Card headingId="h-decoys" title="Decoys">
          <DataTable
            rows={decoys}
            columns={doorColumns(["Knocks", "Ban for", "Active bans"])}
            empty={
              <>
                No decoys. <Link href="/sequences/new?kind=ban">Add one</Link>, e.g. the sequence of a well-known knockd example config.
              </>
            }
            cards
            actions
          >
            {(d) => (
              <DoorRow key={d.id} door={d}>
                <td className="mono" data-label="Knocks">{formatSteps(d.sequence)}</td>
                <td data-label="Ban for">{formatDuration(d.durationSec)}</td>
                <td className="num" data-label="Active bans">{active.filter((b) => b.doorName === d.name).length}</td>
              </DoorRow>
            )}
          </DataTable>
        </Card>

        <ActiveBans bans={active} showSince knownDoors={names} />

        <Card headingId="h-past" title="Recently lifted">
          <DataTable rows={past} columns={["Address", "Decoy", "Banned", "Lifted", "Why"]} empty="None.">
            {(b) => (
              <tr key={b.id}>
                <td className="mono">{b.ip}</td>
                <td>{b.doorName}</td>
                <td>
                  <LocalTime ts={b.createdAt} />
                </td>
                <td>{b.liftedAt ? <LocalTime ts={b.liftedAt} /> : null}</td>
                <td>{b.liftedReason === "unbanned" ? "unbanned by admin" : b.liftedReason}</td>
              </tr>
            )}
          </DataTable>
        </Card>
      </div>
    </>
  );
}
