import "server-only";
import { asc, doors, eq } from "@sesame/db";
import type { Reader } from "../settings";
import { doorRowToDoor, type Door } from "@sesame/core";

export type DoorRecord = typeof doors.$inferSelect;

export function findDoors(db: Reader): DoorRecord[] {
  return db.select().from(doors).orderBy(asc(doors.name)).all();
}

export function findDoor(db: Reader, id: number): DoorRecord | undefined {
  return db.select().from(doors).where(eq(doors.id, id)).get();
}

/** Rows as core Doors (for previews and warnings; command doors without their commands). */
export function toCoreDoors(rows: DoorRecord[]): Door[] {
  return rows.map((r) => doorRowToDoor(r));
}
