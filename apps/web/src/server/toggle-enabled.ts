import { revalidatePath } from "next/cache";
import { errorState, type FormState } from "@/lib/form-state";
import { getClientAddress } from "./client-address";
import { applyChange, type ChangeContext } from "./config-write";
import { getDb } from "./db";
import { FieldError } from "./field-error";
import { getLiveHub } from "./live-hub";
import { LockoutRiskError, lockoutRisk, snapshotLockout } from "./lockout";
import type { ValidSession } from "./session";

/** How a list's enable/disable switch finds and changes one of its rows. */
export interface ToggleTarget {
  entity: "door" | "forward";
  /** The answer to an id that is not a positive integer. */
  invalidId: FormState;
  /** The row's message when it is gone. */
  gone: string;
  load(tx: ChangeContext["tx"], id: number): { name: string; enabled: boolean } | undefined;
  setEnabled(tx: ChangeContext["tx"], id: number, enabled: boolean, now: number): void;
}

/**
 * The enable/disable server action of a list row: one audited transaction
 * that bumps the config version; the lock-out check runs on the protected
 * ports before and after, and asks for confirmation when it would lock the
 * admin out. The action checks the session itself, first, and hands it in.
 */
export async function toggleEnabled(session: ValidSession, formData: FormData, t: ToggleTarget): Promise<FormState> {
  const id = Number(formData.get("id"));
  const enabled = formData.get("enabled") === "true";
  const confirmLockout = formData.get("confirmLockout") === "on";
  if (!Number.isInteger(id) || id <= 0) return t.invalidId;
  const adminIp = await getClientAddress();
  const now = Date.now();
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
      const old = t.load(tx, id);
      if (!old) throw new FieldError("_form", t.gone);
      const before = snapshotLockout(tx, adminIp, now);
      t.setEnabled(tx, id, enabled, now);
      record({ action: enabled ? "enable" : "disable", entity: t.entity, entityId: id, before: { name: old.name, enabled: old.enabled }, after: { name: old.name, enabled } });
      const risk = lockoutRisk(before, snapshotLockout(tx, adminIp, now));
      if (risk && !confirmLockout) throw new LockoutRiskError(adminIp, risk);
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ _form: [err.message] }, {}, err.message);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, {}, err.message);
    throw err;
  }
  getLiveHub().refreshState();
  revalidatePath("/", "layout");
  return { status: "ok", message: enabled ? "Enabled." : "Disabled.", nonce: Date.now() };
}
