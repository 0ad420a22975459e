import { doorRowToDoor, type CommandAction } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import { loadDoorRows, type DoorRowWithId } from "./db-read";
import { checkDoorAction } from "./db-rows";
import type { DoorInfo } from "./door-table";
import type { RowWarnings } from "./row-warnings";

/** The usable doors of the database; an unusable row is named once and left out. */
export function loadDoorInfos(db: SesameDb, commandFor: (section: string) => CommandAction | undefined, warnings: RowWarnings): DoorInfo[] {
  const infos: DoorInfo[] = [];
  for (const row of loadDoorRows(db)) {
    const info = toInfo(row, commandFor, warnings);
    if (info) infos.push(info);
  }
  return infos;
}

function toInfo(row: DoorRowWithId, commandFor: (section: string) => CommandAction | undefined, warnings: RowWarnings): DoorInfo | null {
  try {
    const checked = checkDoorAction(doorRowToDoor(row, { commandFor }));
    if (!checked.ok) throw new Error(checked.reason);
    if (checked.note) warnings.once(`clampdoor:${row.id}:${row.updatedAt}`, `door ${row.name} (id ${row.id}): ${checked.note}`);
    const door = checked.door;
    if (row.action === "command" && row.enabled && !door.enabled) {
      warnings.once(`nocmd:${row.id}:${row.commandSection}`, `${row.name}: no commands for section [${row.commandSection ?? "?"}] in the worker's config file; the door runs nothing`, true);
    }
    return { door, rowId: row.id, source: row.source, section: row.commandSection };
  } catch (e) {
    warnings.once(`bad:${row.id}:${row.updatedAt}`, `door ${row.name} (id ${row.id}) is unusable: ${(e as Error).message}`, true);
    return null;
  }
}
