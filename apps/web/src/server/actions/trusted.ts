"use server";

import { cidrsOverlap, TrustedNetworkInputSchema } from "@sesame/core";
import { eq, trustedNetworks } from "@sesame/db";
import { errorState, formValues, issuesToFieldErrors, okState, type FormState } from "@/lib/form-state";
import { afterConfigChange } from "../after-change";
import { getClientAddress } from "../client-address";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { LockoutRiskError, lockoutRisk, snapshotLockout } from "../lockout";
import { requireSession } from "../session";

/** Add a trusted network: valid CIDR, no overlap with an existing entry, expiry in the future. */
export async function addTrustedAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  const parsed = TrustedNetworkInputSchema.safeParse({
    cidr: formData.get("cidr") ?? "",
    comment: formData.get("comment") ?? "",
    expiresAt: formData.get("expiresAt") ?? "",
  });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), values);
  const input = parsed.data;
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
      for (const t of tx.select().from(trustedNetworks).all()) {
        if (cidrsOverlap(t.cidr, input.cidr)) {
          const what = t.cidr === input.cidr ? "is already trusted" : `overlaps ${t.cidr}`;
          throw new FieldError("cidr", `${input.cidr} ${what}${t.comment ? ` (${t.comment})` : ""}. Edit or remove that entry instead.`);
        }
      }
      const row = tx
        .insert(trustedNetworks)
        .values({ cidr: input.cidr, comment: input.comment, expiresAt: input.expiresAt ?? null, createdAt: Date.now() })
        .returning()
        .get();
      record({ action: "create", entity: "trusted-network", entityId: row.id, after: row });
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values);
    throw err;
  }
  afterConfigChange();
  return okState(`Trusted ${input.cidr}. Its addresses reach protected ports without knocking and are never banned.`);
}

/** Remove a trusted network; asks for confirmation when it is what keeps the admin in. */
export async function deleteTrustedAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const id = Number(formData.get("id"));
  if (!Number.isInteger(id) || id <= 0) return errorState({ _form: ["Unknown network."] }, {});
  const confirm = formData.get("confirmLockout") === "on";
  const adminIp = await getClientAddress();
  const now = Date.now();
  let cidr = "";
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
      const old = tx.select().from(trustedNetworks).where(eq(trustedNetworks.id, id)).get();
      if (!old) throw new FieldError("_form", "This network was already removed.");
      cidr = old.cidr;
      const before = snapshotLockout(tx, adminIp, now);
      tx.delete(trustedNetworks).where(eq(trustedNetworks.id, id)).run();
      record({ action: "delete", entity: "trusted-network", entityId: id, before: old });
      const risk = lockoutRisk(before, snapshotLockout(tx, adminIp, now));
      if (risk && !confirm) throw new LockoutRiskError(adminIp, risk);
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ _form: [err.message] }, {}, err.message);
    if (err instanceof LockoutRiskError) {
      return errorState(
        { confirmLockout: [`Removing this network leaves your address ${adminIp} untrusted while ${err.ports.join(", ")} ${err.ports.length === 1 ? "is" : "are"} protected.`] },
        {},
      );
    }
    throw err;
  }
  afterConfigChange();
  return okState(`Removed ${cidr}.`);
}
