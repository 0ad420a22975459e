import Link from "next/link";
import { Card } from "@/components/card";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { describeEvent, eventTone } from "@/lib/describe-event";
import type { EventView } from "@/lib/live-types";

/** The user page's "Recent activity" card: their latest events in the live log's words, and the way to all of them in History. */
export function UserActivity({ name, events }: { name: string; events: EventView[] }) {
  return (
    <Card headingId="h-activity" title="Recent activity">
      <DataTable rows={events} columns={["Time", "Kind", "Event"]} empty="Nothing yet: no open or refused packet names this user." testId="user-activity">
        {(e) => (
          <tr key={e.id}>
            <td>
              <LocalTime ts={e.ts} />
            </td>
            <td>
              <span className={`badge ${eventTone(e.kind)}`}>{e.kind}</span>
            </td>
            <td className="mono small">{describeEvent(e)}</td>
          </tr>
        )}
      </DataTable>
      <p className="small" style={{ margin: "0.5rem 0 0" }}>
        <Link href={`/history?user=${encodeURIComponent(name)}`}>All of {name}&apos;s events in History</Link>
      </p>
    </Card>
  );
}
