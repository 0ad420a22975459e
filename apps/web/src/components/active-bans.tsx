import { Card } from "@/components/card";
import { Countdown } from "@/components/countdown";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import type { BanView } from "@/lib/live-types";
import { unbanAction } from "@/server/actions/grants";

/** What the table shows of a ban: a live BanView or a bans row both fit. */
type ActiveBan = Pick<BanView, "id" | "ip" | "doorName" | "createdAt" | "expiresAt">;

/**
 * The "Active bans" card with an Unban button per address, shared by the
 * dashboard (live, clock-skew corrected) and the decoys page (with "Since"
 * and a mark on bans whose decoy was deleted since).
 */
export function ActiveBans(props: { bans: readonly ActiveBan[]; skew?: number; showSince?: boolean; knownDoors?: ReadonlySet<string> }) {
  const { bans, knownDoors } = props;
  const columns = props.showSince ? ["Address", "Decoy", "Since", "Lifts in"] : ["Address", "Decoy", "Lifts in"];
  return (
    <Card headingId="h-bans" title={<>Active bans ({bans.length})</>}>
      <DataTable rows={bans} columns={columns} empty="Nobody is banned." cards actions>
        {(b) => (
          <tr key={b.id} data-testid={`ban-${b.ip}`}>
            <td className="mono" data-label="Address">{b.ip}</td>
            <td data-label="Decoy">
              {b.doorName}
              {knownDoors && !knownDoors.has(b.doorName) ? <span className="muted small"> (deleted)</span> : null}
            </td>
            {props.showSince ? (
              <td data-label="Since">
                <LocalTime ts={b.createdAt} />
              </td>
            ) : null}
            <td data-label="Lifts in">
              <Countdown until={b.expiresAt} skew={props.skew} />
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
        )}
      </DataTable>
    </Card>
  );
}
