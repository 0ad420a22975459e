import Link from "next/link";
import type { ReactNode } from "react";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DoorToggle } from "@/components/door-toggle";
import { deleteDoorAction } from "@/server/actions/doors";

/** Columns a door row always has around its own ones (see DoorRow). */
export function doorColumns(middle: readonly string[]): string[] {
  return ["Name", ...middle, "Status"];
}

/**
 * One row of a door list (sequences, decoys): linked name, the caller's cells,
 * the enable switch, then edit and delete. Use with `doorColumns` and `actions`.
 */
export function DoorRow(props: {
  door: { id: number; name: string; enabled: boolean };
  /** Shown after the name, e.g. a badge. */
  nameExtra?: ReactNode;
  editLabel?: string;
  children: ReactNode;
}) {
  const d = props.door;
  return (
    <tr data-testid={`door-${d.name}`}>
      <td data-label="Name">
        <Link href={`/sequences/${d.id}`}>
          <strong>{d.name}</strong>
        </Link>
        {props.nameExtra}
      </td>
      {props.children}
      <td data-label="Status">
        <DoorToggle id={d.id} name={d.name} enabled={d.enabled} />
      </td>
      <td className="actions">
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <Link className="btn small" href={`/sequences/${d.id}`}>
            {props.editLabel ?? "Edit"}
          </Link>
          <ConfirmDelete action={deleteDoorAction} id={d.id} what={d.name} />
        </div>
      </td>
    </tr>
  );
}
