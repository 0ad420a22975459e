import { errorState, type FormState } from "@/lib/form-state";
import { afterConfigChange } from "./after-change";
import { getClientAddress } from "./client-address";
import { applyChange, type ChangeContext } from "./config-write";
import { getDb } from "./db";
import { FieldError } from "./field-error";
import { guardLockout, LockoutRiskError } from "./lockout";
import type { ValidSession } from "./session";

/** How an enable/disable switch finds and changes one row (a list's toggle, PATCH /api/v1/doors/{id}). */
export interface RowSwitch {
  entity: "door" | "forward";
  /** The row's message when it is gone. */
  gone: string;
  load(tx: ChangeContext["tx"], id: number): { name: string; enabled: boolean } | undefined;
  setEnabled(tx: ChangeContext["tx"], id: number, enabled: boolean, now: number): void;
}

/** A list row's switch, with the answer to an id that is not a positive integer. */
export interface ToggleTarget extends RowSwitch {
  invalidId: FormState;
}

/**
 * Inside a config transaction: switch the row on or off and audit it as
 * enable/disable, with the lock-out check for `address` (the ports protected
 * before and after). Throws FieldError("_form") when the row is gone.
 */
export function switchEnabled(ctx: ChangeContext, t: RowSwitch, id: number, enabled: boolean, lockout: { address: string; confirmed: boolean }, now: number): void {
  const { tx, record } = ctx;
  const old = t.load(tx, id);
  if (!old) throw new FieldError("_form", t.gone);
  guardLockout(tx, lockout.address, now, lockout.confirmed, () => t.setEnabled(tx, id, enabled, now));
  record({ action: enabled ? "enable" : "disable", entity: t.entity, entityId: id, before: { name: old.name, enabled: old.enabled }, after: { name: old.name, enabled } });
}

/**
 * The enable/disable server action of a list row: one audited transaction
 * that bumps the config version; the lock-out check asks for confirmation
 * when the change would lock the admin out. The action checks the session
 * itself, first, and hands it in.
 */
export async function toggleEnabled(session: ValidSession, formData: FormData, t: ToggleTarget): Promise<FormState> {
  const id = Number(formData.get("id"));
  const enabled = formData.get("enabled") === "true";
  const confirmed = formData.get("confirmLockout") === "on";
  if (!Number.isInteger(id) || id <= 0) return t.invalidId;
  const address = await getClientAddress();
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => switchEnabled(ctx, t, id, enabled, { address, confirmed }, Date.now()));
  } catch (err) {
    if (err instanceof FieldError) return errorState({ _form: [err.message] }, {}, err.message);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, {}, err.message);
    throw err;
  }
  afterConfigChange();
  return { status: "ok", message: enabled ? "Enabled." : "Disabled.", nonce: Date.now() };
}
