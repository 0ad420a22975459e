"use server";

import { extendGrantExpiry } from "@sesame/core";
import { bans, eq, grants } from "@sesame/db";
import { formId } from "@/lib/form-state";
import { afterConfigChange } from "../after-change";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { requireSession } from "../session";

const EXTEND_CHOICES_SEC = new Set([300, 900, 1800, 3600, 4 * 3600]);

/** What revoke and extend read: not `ports`, so a row whose ports are not JSON can still be closed. */
const GRANT_FIELDS = { ip: grants.ip, doorName: grants.doorName, expiresAt: grants.expiresAt, closedAt: grants.closedAt };

/** Close an open grant now; the worker removes it from the kernel within a second. */
export async function revokeGrantAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const g = tx.select(GRANT_FIELDS).from(grants).where(eq(grants.id, id)).get();
    if (!g || g.closedAt !== null) return;
    const now = Date.now();
    tx.update(grants).set({ closedAt: now, closedReason: "revoked" }).where(eq(grants.id, id)).run();
    record({ action: "revoke", entity: "grant", entityId: id, before: { ip: g.ip, door: g.doorName, expiresAt: g.expiresAt }, after: { ip: g.ip, door: g.doorName, closedAt: now } });
  });
  afterConfigChange();
}

/**
 * Push an open grant's expiry later (from now or its current expiry, whichever
 * is later), never past MAX_GRANT_SEC (one day) from now however often it is pressed.
 */
export async function extendGrantAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  const by = Number(formData.get("seconds"));
  if (id === null || !EXTEND_CHOICES_SEC.has(by)) return;
  applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const g = tx.select(GRANT_FIELDS).from(grants).where(eq(grants.id, id)).get();
    if (!g || g.closedAt !== null) return;
    const expiresAt = extendGrantExpiry(g.expiresAt, Date.now(), by);
    if (expiresAt <= g.expiresAt) return; // already at the cap
    tx.update(grants).set({ expiresAt }).where(eq(grants.id, id)).run();
    record({ action: "extend", entity: "grant", entityId: id, before: { ip: g.ip, door: g.doorName, expiresAt: g.expiresAt }, after: { ip: g.ip, door: g.doorName, expiresAt } });
  });
  afterConfigChange();
}

/** Lift a ban now. */
export async function unbanAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const b = tx.select().from(bans).where(eq(bans.id, id)).get();
    if (!b || b.liftedAt !== null) return;
    const now = Date.now();
    tx.update(bans).set({ liftedAt: now, liftedReason: "unbanned" }).where(eq(bans.id, id)).run();
    record({ action: "unban", entity: "ban", entityId: id, before: { ip: b.ip, door: b.doorName, expiresAt: b.expiresAt }, after: { ip: b.ip, door: b.doorName, liftedAt: now } });
  });
  afterConfigChange();
}
