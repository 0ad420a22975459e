"use server";

import { CredentialRequestSchema, DEFAULT_TOTP_SETTINGS, makeUserInputSchema } from "@sesame/core";
import { and, eq, grants, isNull, userCredentials, users } from "@sesame/db";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { errorState, formId, formValues, issuesToFieldErrors, okState, type FormState } from "@/lib/form-state";
import type { CredentialState } from "@/lib/credential-state";
import { afterConfigChange } from "../after-change";
import { getClientAddress } from "../client-address";
import { applyChange, type ChangeContext } from "../config-write";
import { newSpaKeys, newTotpSecret, spaMaterial, totpMaterial } from "../credential-material";
import { getDb } from "../db";
import { FieldError } from "../field-error";
import { guardLockout, LockoutRiskError } from "../lockout";
import { isCredentialActive } from "../queries/users";
import { readSetting } from "../settings";
import { requireSession } from "../session";

/**
 * Users and their credentials. Every change is one audited transaction; key
 * material goes into user_credentials and into this one answer, nowhere else
 * (the audit records that a key was generated, never the key).
 */

/** The user's open grants close now (the worker revokes them within a second). */
function closeUserGrants(ctx: ChangeContext, userId: number, now: number): number {
  const open = ctx.tx.select({ id: grants.id, ip: grants.ip }).from(grants).where(and(eq(grants.userId, userId), isNull(grants.closedAt))).all();
  for (const g of open) {
    ctx.tx.update(grants).set({ closedAt: now, closedReason: "revoked" }).where(eq(grants.id, g.id)).run();
    ctx.record({ action: "revoke", entity: "grant", entityId: g.id, after: { ip: g.ip, userId, closedAt: now } });
  }
  return open.length;
}

/** Create (no id) or edit a user. */
export async function saveUserAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  const id = formData.get("id") ? formId(formData) : null;
  const parsed = makeUserInputSchema(() => Date.now()).safeParse({
    name: formData.get("name") ?? "",
    comment: formData.get("comment") ?? "",
    enabled: formData.get("enabled"),
    expiresAt: formData.get("expiresAt") ?? "",
    sources: formData.get("sources") ?? "",
    ports: formData.get("ports") ?? "",
    grantSec: formData.get("grantSec"),
    maxGrantSec: formData.get("maxGrantSec"),
    requireSourceAddress: formData.get("requireSourceAddress"),
  });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), values);
  const input = { ...parsed.data, expiresAt: parsed.data.expiresAt ?? null };
  const confirmLockout = formData.get("confirmLockout") === "on";
  const adminIp = await getClientAddress();
  let savedId = 0;
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
      const clash = tx.select({ id: users.id }).from(users).where(eq(users.name, input.name)).get();
      if (clash && clash.id !== id) throw new FieldError("name", `A user named ${input.name} already exists.`);
      const now = Date.now();
      // A user's ports are protected ports: the same lock-out check as a door's.
      guardLockout(tx, adminIp, now, confirmLockout, () => {
        if (id === null) {
          const row = tx.insert(users).values({ ...input, createdAt: now, updatedAt: now }).returning().get();
          savedId = row.id;
          record({ action: "create", entity: "user", entityId: row.id, after: row });
          return;
        }
        const old = tx.select().from(users).where(eq(users.id, id)).get();
        if (!old) throw new FieldError("_form", "This user was deleted meanwhile.");
        const row = tx.update(users).set({ ...input, updatedAt: now }).where(eq(users.id, id)).returning().get();
        savedId = id;
        record({ action: "update", entity: "user", entityId: id, before: old, after: row });
      });
    });
  } catch (err) {
    if (err instanceof FieldError) return errorState({ [err.field]: [err.message] }, values);
    if (err instanceof LockoutRiskError) return errorState({ confirmLockout: [err.message] }, values, err.message);
    throw err;
  }
  afterConfigChange();
  if (id === null) redirect(`/users/${savedId}?saved=${encodeURIComponent(`user ${input.name} created`)}`);
  return okState(`Saved ${input.name}. The worker applies it within a second.`);
}

/** The appliance's host name as the admin reached it (for the commands shown with a new key). */
async function siteHost(): Promise<string> {
  const host = (await headers()).get("host") ?? "HOST";
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}

/**
 * Generate a TOTP secret or SPA keys. The user's other active credentials
 * of that kind are rotated out: they keep working for the grace period
 * (0: revoked at once). The material is in this answer only.
 */
export async function generateCredentialAction(_prev: CredentialState, formData: FormData): Promise<CredentialState> {
  const session = await requireSession();
  const parsed = CredentialRequestSchema.safeParse({ userId: formData.get("userId"), kind: formData.get("kind"), graceMinutes: formData.get("graceMinutes") });
  if (!parsed.success) return { status: "error", message: parsed.error.issues[0]?.message ?? "Invalid request." };
  const { userId, kind, graceMinutes } = parsed.data;
  const db = getDb();
  const totpSecret = kind === "totp" ? newTotpSecret() : null;
  const spa = kind === "spa" ? newSpaKeys() : null;
  let userName = "";
  let ports: { port: number; protocol: "tcp" | "udp" }[] = [];
  let rotated = 0;
  try {
    applyChange(db, session.actor, { bumpConfig: true }, ({ tx, record }) => {
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user) throw new FieldError("_form", "This user was deleted meanwhile.");
      userName = user.name;
      ports = user.ports;
      const now = Date.now();
      const until = now + graceMinutes * 60_000;
      const others = tx.select().from(userCredentials).where(and(eq(userCredentials.userId, userId), eq(userCredentials.kind, kind))).all().filter((c) => isCredentialActive(c, now));
      for (const c of others) {
        if (graceMinutes === 0) tx.update(userCredentials).set({ revokedAt: now }).where(eq(userCredentials.id, c.id)).run();
        else tx.update(userCredentials).set({ expiresAt: Math.min(c.expiresAt ?? Infinity, until) }).where(eq(userCredentials.id, c.id)).run();
        record({ action: graceMinutes === 0 ? "revoke-key" : "rotate-key", entity: "user-credential", entityId: c.id, after: { user: user.name, kind, ...(graceMinutes === 0 ? { revokedAt: now } : { worksUntil: until }) } });
      }
      rotated = others.length;
      const row = tx
        .insert(userCredentials)
        .values({ userId, kind, totpSecret, spaKey: spa?.key ?? null, spaHmacKey: spa?.hmacKey ?? null, spaHmacDigest: spa ? "sha256" : null, createdAt: now })
        .returning({ id: userCredentials.id })
        .get();
      record({ action: "generate-key", entity: "user-credential", entityId: row.id, after: { user: user.name, kind, ...(kind === "spa" ? { hmacDigest: "sha256" } : {}), rotatedOut: others.map((c) => c.id) } });
    });
  } catch (err) {
    if (err instanceof FieldError) return { status: "error", message: err.message };
    throw err;
  }
  afterConfigChange();
  const host = await siteHost();
  const material = totpSecret !== null ? await totpMaterial(userName, totpSecret, host, readSetting(db, "totp") ?? DEFAULT_TOTP_SETTINGS) : spaMaterial(userName, spa!, host, ports);
  const what = kind === "totp" ? "TOTP secret" : "SPA keys";
  const rotation = rotated === 0 ? "" : graceMinutes === 0 ? ` The previous ${kind === "totp" ? "secret" : "keys"} stopped working.` : ` The previous ${kind === "totp" ? "secret keeps" : "keys keep"} working for ${graceMinutes} minutes.`;
  return { status: "ok", message: `New ${what} for ${userName}: shown this once, copy it now.${rotation}`, material, nonce: Date.now() };
}

/** Revoke one credential at once. */
export async function revokeCredentialAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
    const c = tx.select({ id: userCredentials.id, kind: userCredentials.kind, revokedAt: userCredentials.revokedAt, userId: userCredentials.userId }).from(userCredentials).where(eq(userCredentials.id, id)).get();
    if (!c || c.revokedAt !== null) return;
    const now = Date.now();
    tx.update(userCredentials).set({ revokedAt: now }).where(eq(userCredentials.id, id)).run();
    record({ action: "revoke-key", entity: "user-credential", entityId: id, after: { userId: c.userId, kind: c.kind, revokedAt: now } });
  });
  afterConfigChange();
}

/** Revoke a user: disabled, every credential revoked, and (when asked) their open grants closed. */
export async function revokeUserAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  const closeGrants = formData.get("closeGrants") === "on";
  applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => {
    const { tx, record } = ctx;
    const user = tx.select().from(users).where(eq(users.id, id)).get();
    if (!user) return;
    const now = Date.now();
    tx.update(users).set({ enabled: false, updatedAt: now }).where(eq(users.id, id)).run();
    const creds = tx.select({ id: userCredentials.id }).from(userCredentials).where(and(eq(userCredentials.userId, id), isNull(userCredentials.revokedAt))).all();
    tx.update(userCredentials).set({ revokedAt: now }).where(and(eq(userCredentials.userId, id), isNull(userCredentials.revokedAt))).run();
    record({ action: "revoke", entity: "user", entityId: id, before: { enabled: user.enabled }, after: { name: user.name, enabled: false, credentialsRevoked: creds.map((c) => c.id), closeGrants } });
    if (closeGrants) closeUserGrants(ctx, id, now);
  });
  afterConfigChange();
}

/** Expire a user now (their credentials stop; open grants run out on their own). */
export async function expireUserAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
    const user = tx.select().from(users).where(eq(users.id, id)).get();
    if (!user) return;
    const now = Date.now();
    tx.update(users).set({ expiresAt: now, updatedAt: now }).where(eq(users.id, id)).run();
    record({ action: "expire", entity: "user", entityId: id, before: { expiresAt: user.expiresAt }, after: { name: user.name, expiresAt: now } });
  });
  afterConfigChange();
}

/** Delete a user and their credentials; their open grants close. */
export async function deleteUserAction(formData: FormData): Promise<void> {
  const session = await requireSession();
  const id = formId(formData);
  if (id === null) return;
  let deleted = false;
  applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => {
    const user = ctx.tx.select().from(users).where(eq(users.id, id)).get();
    if (!user) return;
    closeUserGrants(ctx, id, Date.now());
    ctx.tx.delete(users).where(eq(users.id, id)).run();
    ctx.record({ action: "delete", entity: "user", entityId: id, before: user });
    deleted = true;
  });
  afterConfigChange();
  if (deleted) redirect(`/users?saved=${encodeURIComponent("user deleted")}`);
}
