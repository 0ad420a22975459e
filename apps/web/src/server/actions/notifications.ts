"use server";

import { and, eq, not, notifyChannels } from "@sesame/db";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { errorState, formId, formValues, okState, type FormState } from "@/lib/form-state";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { parseChannelForm, SECRET_FIELDS } from "../notify/channel-form";
import { auditSnapshot, findChannel } from "../notify/channels";
import { deliver } from "../notify/deliver";
import { recordChannelOutcome } from "../notify/outbox";
import { requireSession } from "../session";

/** Create or update a notification channel. Secrets left empty keep the saved ones; none is ever sent back. */
export async function saveChannelAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  for (const k of SECRET_FIELDS) delete values[k];
  const id = formData.get("id") ? formId(formData) : null;
  const db = getDb();
  const old = id === null ? undefined : findChannel(db, id);
  if (formData.get("id") && !old) return errorState({}, values, "This channel no longer exists (deleted in another tab?). Nothing was saved.");
  const parsed = parseChannelForm(formData, old);
  if (!parsed.ok) return errorState(parsed.fieldErrors, values);
  const { input, config, secrets } = parsed;
  const now = Date.now();
  const row = { name: input.name, type: input.type, enabled: input.enabled, events: input.events, rateCount: input.rateCount, ratePerSec: input.ratePerSec, config, secrets };
  try {
    applyChange(db, session.actor, { bumpConfig: false }, ({ tx, record }) => {
      const clash = tx
        .select({ id: notifyChannels.id })
        .from(notifyChannels)
        .where(old ? and(eq(notifyChannels.name, input.name), not(eq(notifyChannels.id, old.id))) : eq(notifyChannels.name, input.name))
        .get();
      if (clash) throw new FieldError("name", `A channel named "${input.name}" already exists. Choose another name.`);
      if (!old) {
        const created = tx.insert(notifyChannels).values({ ...row, createdAt: now, updatedAt: now }).returning().get();
        record({ action: "create", entity: "notification-channel", entityId: created.id, after: auditSnapshot(created) });
      } else {
        const updated = tx.update(notifyChannels).set({ ...row, updatedAt: now }).where(eq(notifyChannels.id, old.id)).returning().get();
        record({ action: "update", entity: "notification-channel", entityId: old.id, before: auditSnapshot(old), after: auditSnapshot(updated) });
      }
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values);
    throw err;
  }
  revalidatePath("/settings/notifications", "layout");
  redirect(`/settings/notifications?saved=${encodeURIComponent(input.name)}`);
}

/** Send a test message now (also to a disabled channel) and say what happened; the outcome is kept on the channel. */
export async function testChannelAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const id = formId(formData);
  const db = getDb();
  const ch = id === null ? undefined : findChannel(db, id);
  if (!ch) return errorState({}, {}, "This channel no longer exists.");
  const started = Date.now();
  const r = await deliver(ch, { kind: "test", at: started, channel: ch.name });
  const ms = Date.now() - started;
  applyChange(db, session.actor, { bumpConfig: false }, ({ tx, record }) => {
    recordChannelOutcome(tx, ch.id, Date.now(), r.ok ? null : r.error);
    record({ action: "test", entity: "notification-channel", entityId: ch.id, after: { name: ch.name, delivered: r.ok, error: r.ok ? null : r.error } });
  });
  revalidatePath("/settings/notifications", "layout");
  return r.ok ? okState(`Test delivered to ${ch.name} (${ms} ms).`) : errorState({}, {}, `Test to ${ch.name} failed: ${r.error}`);
}

/** Enable or disable a channel (a disabled one is sent nothing; what it had queued is dropped). */
export async function toggleChannelAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const id = formId(formData);
  const enabled = formData.get("enabled") === "true";
  if (id === null) return errorState({}, {}, "Unknown channel.");
  try {
    applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
      const old = tx.select({ name: notifyChannels.name, enabled: notifyChannels.enabled }).from(notifyChannels).where(eq(notifyChannels.id, id)).get();
      if (!old) throw new FieldError("_form", "This channel no longer exists.");
      tx.update(notifyChannels).set({ enabled, updatedAt: Date.now() }).where(eq(notifyChannels.id, id)).run();
      record({ action: enabled ? "enable" : "disable", entity: "notification-channel", entityId: id, before: old, after: { name: old.name, enabled } });
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({}, {}, err.message);
    throw err;
  }
  revalidatePath("/settings/notifications", "layout");
  return okState(enabled ? "Enabled." : "Disabled.");
}

export async function deleteChannelAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const old = tx.select().from(notifyChannels).where(eq(notifyChannels.id, id)).get();
    if (!old) return;
    tx.delete(notifyChannels).where(eq(notifyChannels.id, id)).run();
    record({ action: "delete", entity: "notification-channel", entityId: id, before: auditSnapshot(old) });
  });
  revalidatePath("/settings/notifications", "layout");
  redirect("/settings/notifications");
}
