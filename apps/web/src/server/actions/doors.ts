"use server";

import { doorInputToRow } from "@sesame/core";
import { redirect } from "next/navigation";
import { errorState, formValues, type FormState } from "@/lib/form-state";
import { afterConfigChange } from "../after-change";
import { getClientAddress } from "../client-address";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { parseDoorForm } from "../door-form";
import { deleteDoor, DOOR_SWITCH, saveDoor } from "../door-write";
import { guardLockout, LockoutRiskError } from "../lockout";
import { requireSession } from "../session";
import { toggleEnabled } from "../toggle-enabled";

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
    applyChange(db, session.actor, { bumpConfig: true }, (ctx) => guardLockout(ctx.tx, adminIp, now, confirmLockout, () => saveDoor(ctx, id, row, now)));
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values, err.field === "_form" ? err.message : undefined);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, values, err.message);
    throw err;
  }
  afterConfigChange();
  redirect(`${row.action === "ban" ? "/decoys" : "/sequences"}?saved=${encodeURIComponent(row.name)}`);
}

/** Enable or disable a door (list toggle). Enabling an open door runs the lock-out check. */
export async function toggleDoorAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  return toggleEnabled(session, formData, { ...DOOR_SWITCH, invalidId: errorState({ id: ["Unknown door."] }, {}) });
}

export async function deleteDoorAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = Number(formData.get("id"));
  if (!Number.isInteger(id) || id <= 0) return;
  const old = applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => deleteDoor(ctx, id)).result;
  afterConfigChange();
  redirect(old?.action === "ban" ? "/decoys" : "/sequences");
}
