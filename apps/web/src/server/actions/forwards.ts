"use server";

import { ForwardInputSchema, ipFamily, type ForwardInput } from "@sesame/core";
import { eq, forwards } from "@sesame/db";
import { redirect } from "next/navigation";
import { errorState, formId, formValues, issuesToFieldErrors, type FormState } from "@/lib/form-state";
import { afterConfigChange } from "../after-change";
import { getClientAddress } from "../client-address";
import { applyChange, type ChangeContext } from "../config-write";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { LockoutRiskError, lockoutRisk, snapshotLockout } from "../lockout";
import { requireSession } from "../session";
import { toggleEnabled } from "../toggle-enabled";

/**
 * Gateway mode's forwards. Each change is one audited transaction that bumps
 * the config version; the worker reads the table and changes the firewall
 * (this never touches it). A DNAT forward's public port becomes a protected
 * port on this host, so saving or enabling one runs the lock-out check.
 */

function describe(f: Pick<ForwardInput, "protocol" | "port" | "toAddress" | "toPort" | "dnat">): string {
  const host = f.toAddress.includes(":") ? `[${f.toAddress}]` : f.toAddress;
  return f.dnat ? `${f.protocol}/${f.port} → ${host}:${f.toPort}` : `${f.protocol}/${f.port} on ${f.toAddress}`;
}

/** A name taken, or the same service twice (one DNAT target per public port and family; one gate per inside service). */
function checkConflicts(ctx: ChangeContext, input: ForwardInput, id: number | null): void {
  for (const f of ctx.tx.select().from(forwards).all()) {
    if (f.id === id) continue;
    if (f.name === input.name) throw new FieldError("name", `A forward named “${input.name}” already exists.`);
    if (f.protocol !== input.protocol || ipFamily(f.toAddress) !== ipFamily(input.toAddress)) continue;
    if (f.dnat && input.dnat && f.port === input.port) {
      throw new FieldError("port", `${input.protocol}/${input.port} is already forwarded by “${f.name}” (${describe(f)}); one public port reaches one inside service.`);
    }
    if (!f.dnat && !input.dnat && f.port === input.port && f.toAddress === input.toAddress) {
      throw new FieldError("toAddress", `“${f.name}” already gates ${describe(f)}.`);
    }
  }
}

/** Create (no id) or edit a forward. */
export async function saveForwardAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  const id = formData.get("id") ? formId(formData) : null;
  if (formData.get("id") && id === null) return errorState({ _form: ["Unknown forward."] }, values);
  const parsed = ForwardInputSchema.safeParse({
    name: formData.get("name") ?? "",
    comment: formData.get("comment") ?? "",
    protocol: formData.get("protocol") ?? "",
    port: formData.get("port") ?? "",
    toAddress: formData.get("toAddress") ?? "",
    toPort: formData.get("toPort") ?? "",
    dnat: formData.get("dnat"),
    enabled: formData.get("enabled"),
  });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), values);
  const input = parsed.data;
  const confirmLockout = formData.get("confirmLockout") === "on";
  const adminIp = await getClientAddress();
  const now = Date.now();
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => {
      checkConflicts(ctx, input, id);
      const before = snapshotLockout(ctx.tx, adminIp, now);
      if (id === null) {
        const row = ctx.tx.insert(forwards).values({ ...input, createdAt: now, updatedAt: now }).returning().get();
        ctx.record({ action: "create", entity: "forward", entityId: row.id, after: row });
      } else {
        const old = ctx.tx.select().from(forwards).where(eq(forwards.id, id)).get();
        if (!old) throw new FieldError("_form", "This forward no longer exists.");
        const row = ctx.tx.update(forwards).set({ ...input, updatedAt: now }).where(eq(forwards.id, id)).returning().get();
        ctx.record({ action: "update", entity: "forward", entityId: id, before: old, after: row });
      }
      const risk = lockoutRisk(before, snapshotLockout(ctx.tx, adminIp, now));
      if (risk && !confirmLockout) throw new LockoutRiskError(adminIp, risk);
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values, err.field === "_form" ? err.message : undefined);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, values, err.message);
    throw err;
  }
  afterConfigChange();
  redirect(`/gateway?saved=${encodeURIComponent(input.name)}`);
}

/** Enable or disable a forward (list toggle); enabling a DNAT forward runs the lock-out check. */
export async function toggleForwardAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  return toggleEnabled(session, formData, {
    entity: "forward",
    invalidId: errorState({ _form: ["Unknown forward."] }, {}, "Unknown forward."),
    gone: "This forward no longer exists.",
    load: (tx, id) => tx.select().from(forwards).where(eq(forwards.id, id)).get(),
    setEnabled: (tx, id, enabled, now) => tx.update(forwards).set({ enabled, updatedAt: now }).where(eq(forwards.id, id)).run(),
  });
}

export async function deleteForwardAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  let name: string | undefined;
  applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
    const old = tx.select().from(forwards).where(eq(forwards.id, id)).get();
    if (!old) return;
    name = old.name;
    tx.delete(forwards).where(eq(forwards.id, id)).run();
    record({ action: "delete", entity: "forward", entityId: id, before: old });
  });
  afterConfigChange();
  if (name) redirect(`/gateway?deleted=${encodeURIComponent(name)}`);
}
