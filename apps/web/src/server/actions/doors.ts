"use server";

import { doorInputToRow } from "@sesame/core";
import { and, doors, eq, not } from "@sesame/db";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { errorState, formValues, type FormState } from "@/lib/form-state";
import { getClientAddress } from "../client-address";
import { COMMAND_DOOR_EDIT_REFUSAL, isCommandDoor } from "../command-doors";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { parseDoorForm } from "../door-form";
import { getLiveHub } from "../live-hub";
import { LockoutRiskError, lockoutRisk, snapshotLockout } from "../lockout";
import { requireSession } from "../session";
import { toggleEnabled } from "../toggle-enabled";

function afterDoorChange(): void {
  getLiveHub().refreshState();
  revalidatePath("/", "layout");
}

/** Create or update a door from the sequence editor. One transaction; nothing half-saved. */
export async function saveDoorAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  const parsed = parseDoorForm(formData);
  if (!parsed.ok) return errorState(parsed.fieldErrors, values);
  const { id, input, confirmLockout } = parsed;
  const row = doorInputToRow(input);
  const adminIp = await getClientAddress();
  const db = getDb();
  const now = Date.now();
  try {
    applyChange(db, session.actor, { bumpConfig: true }, ({ tx, record }) => {
      const before = snapshotLockout(tx, adminIp, now);
      const clash = tx
        .select({ id: doors.id })
        .from(doors)
        .where(id === null ? eq(doors.name, row.name) : and(eq(doors.name, row.name), not(eq(doors.id, id))))
        .get();
      if (clash) throw new FieldError("name", `A door named "${row.name}" already exists. Choose another name.`);
      if (row.action === "close" && row.closeDoorName) {
        const target = tx.select({ id: doors.id }).from(doors).where(eq(doors.name, row.closeDoorName)).get();
        if (!target) {
          throw new FieldError("action.doorName", `There is no door named "${row.closeDoorName}".`);
        }
      }
      if (id === null) {
        const created = tx.insert(doors).values({ ...row, createdAt: now, updatedAt: now }).returning().get();
        record({ action: "create", entity: "door", entityId: created.id, after: created });
      } else {
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
          const renamed = tx
            .update(doors)
            .set({ closeDoorName: row.name, updatedAt: now })
            .where(eq(doors.closeDoorName, old.name))
            .returning({ id: doors.id })
            .all();
          for (const r of renamed) {
            record({ action: "update", entity: "door", entityId: r.id, after: { closeDoorName: row.name, reason: `renamed ${old.name}` } });
          }
        }
      }
      const risk = lockoutRisk(before, snapshotLockout(tx, adminIp, now));
      if (risk && !confirmLockout) throw new LockoutRiskError(adminIp, risk);
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values, err.field === "_form" ? err.message : undefined);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, values, err.message);
    throw err;
  }
  afterDoorChange();
  redirect(`${row.action === "ban" ? "/decoys" : "/sequences"}?saved=${encodeURIComponent(row.name)}`);
}

/** Enable or disable a door (list toggle). Enabling an open door runs the lock-out check. */
export async function toggleDoorAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  return toggleEnabled(session, formData, {
    entity: "door",
    invalidId: errorState({ id: ["Unknown door."] }, {}),
    gone: "This door no longer exists.",
    load: (tx, id) => tx.select().from(doors).where(eq(doors.id, id)).get(),
    setEnabled: (tx, id, enabled, now) => tx.update(doors).set({ enabled, updatedAt: now }).where(eq(doors.id, id)).run(),
  });
}

export async function deleteDoorAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = Number(formData.get("id"));
  if (!Number.isInteger(id) || id <= 0) return;
  let kind: string | undefined;
  applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
    const old = tx.select().from(doors).where(eq(doors.id, id)).get();
    if (!old) return;
    kind = old.action;
    tx.delete(doors).where(eq(doors.id, id)).run();
    record({ action: "delete", entity: "door", entityId: id, before: old });
  });
  afterDoorChange();
  redirect(kind === "ban" ? "/decoys" : "/sequences");
}
