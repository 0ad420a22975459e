import "server-only";
import type { DoorRow } from "@sesame/core";
import { and, doors, eq, not } from "@sesame/db";
import { COMMAND_DOOR_EDIT_REFUSAL, isCommandDoor } from "./command-doors";
import type { ChangeContext } from "./config-write";
import { FieldError } from "./field-error";
import type { DoorRecord } from "./queries/doors";
import type { RowSwitch } from "./toggle-enabled";

/**
 * The doors' writes, shared by the sequence editor's server actions and
 * /api/v1/doors: each runs inside the caller's config transaction (applyChange)
 * and records its audit entries there; a FieldError rolls it all back.
 */

/** Create (id null) or update a UI door: unique name, an existing close target, close doors follow a rename. */
export function saveDoor({ tx, record }: ChangeContext, id: number | null, row: DoorRow, now: number): DoorRecord {
  const clash = tx
    .select({ id: doors.id })
    .from(doors)
    .where(id === null ? eq(doors.name, row.name) : and(eq(doors.name, row.name), not(eq(doors.id, id))))
    .get();
  if (clash) throw new FieldError("name", `A door named "${row.name}" already exists. Choose another name.`);
  if (row.action === "close" && row.closeDoorName) {
    const target = tx.select({ id: doors.id }).from(doors).where(eq(doors.name, row.closeDoorName)).get();
    if (!target) throw new FieldError("action.doorName", `There is no door named "${row.closeDoorName}".`);
  }
  if (id === null) {
    const created = tx.insert(doors).values({ ...row, createdAt: now, updatedAt: now }).returning().get();
    record({ action: "create", entity: "door", entityId: created.id, after: created });
    return created;
  }
  const old = tx.select().from(doors).where(eq(doors.id, id)).get();
  if (!old) throw new FieldError("_form", "This door no longer exists (deleted in another tab?). Nothing was saved.");
  if (isCommandDoor(old)) throw new FieldError("_form", COMMAND_DOOR_EDIT_REFUSAL);
  const updated = tx
    .update(doors)
    .set({ ...row, source: old.source, createdAt: old.createdAt, updatedAt: now })
    .where(eq(doors.id, id))
    .returning()
    .get();
  record({ action: "update", entity: "door", entityId: id, before: old, after: updated });
  if (old.name !== row.name) {
    // Keep close doors pointing at the renamed door.
    const renamed = tx.update(doors).set({ closeDoorName: row.name, updatedAt: now }).where(eq(doors.closeDoorName, old.name)).returning({ id: doors.id }).all();
    for (const r of renamed) {
      record({ action: "update", entity: "door", entityId: r.id, after: { closeDoorName: row.name, reason: `renamed ${old.name}` } });
    }
  }
  return updated;
}

/** Delete a door; its row, or undefined when there was none. */
export function deleteDoor({ tx, record }: ChangeContext, id: number): DoorRecord | undefined {
  const old = tx.select().from(doors).where(eq(doors.id, id)).get();
  if (!old) return undefined;
  tx.delete(doors).where(eq(doors.id, id)).run();
  record({ action: "delete", entity: "door", entityId: id, before: old });
  return old;
}

/** A door's enable/disable switch (toggleEnabled, switchEnabled). */
export const DOOR_SWITCH: RowSwitch = {
  entity: "door",
  gone: "This door no longer exists.",
  load: (tx, id) => tx.select().from(doors).where(eq(doors.id, id)).get(),
  setEnabled: (tx, id, enabled, now) => tx.update(doors).set({ enabled, updatedAt: now }).where(eq(doors.id, id)).run(),
};
