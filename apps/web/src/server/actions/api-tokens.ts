"use server";

import { API_TOKEN_SCOPES, ApiTokenInputSchema } from "@sesame/core";
import { revalidatePath } from "next/cache";
import { issuesToFieldErrors } from "@/lib/form-state";
import { createApiToken, revokeApiToken } from "../api-tokens";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { requireSession } from "../session";

export interface ApiTokenFormState {
  status: "idle" | "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** The new token, in this one answer only (never stored, never shown again). */
  token?: string;
  nonce?: number;
}

/** Create a scoped API token; the token is returned once, its SHA-256 kept; audited without it. */
export async function createApiTokenAction(_prev: ApiTokenFormState, formData: FormData): Promise<ApiTokenFormState> {
  const session = await requireSession();
  const days = String(formData.get("expiresInDays") ?? "").trim();
  const parsed = ApiTokenInputSchema.safeParse({
    name: formData.get("name") ?? "",
    scopes: formData.getAll("scopes").filter((s) => (API_TOKEN_SCOPES as readonly string[]).includes(String(s))),
    expiresInDays: days === "" ? null : Number(days),
  });
  if (!parsed.success) return { status: "error", message: "Please fix the highlighted fields; no token was created.", fieldErrors: issuesToFieldErrors(parsed.error.issues), nonce: Date.now() };
  const { result } = applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const { token, row } = createApiToken(tx, parsed.data, session.actor);
    const { sha256: _hash, ...shown } = row;
    record({ action: "create", entity: "api-token", entityId: row.id, after: shown });
    return token;
  });
  revalidatePath("/settings");
  return { status: "ok", message: "New API token. Copy it now: it is not shown again.", token: result, nonce: Date.now() };
}

/** Revoke a token at once (the next call with it is refused); audited. */
export async function revokeApiTokenAction(_prev: ApiTokenFormState, formData: FormData): Promise<ApiTokenFormState> {
  const session = await requireSession();
  const id = Number(formData.get("id"));
  if (!Number.isInteger(id) || id <= 0) return { status: "error", message: "Unknown token.", nonce: Date.now() };
  const { result } = applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const row = revokeApiToken(tx, id);
    if (row) record({ action: "revoke", entity: "api-token", entityId: id, after: { name: row.name, prefix: row.prefix, revokedAt: row.revokedAt } });
    return row;
  });
  revalidatePath("/settings");
  return result ? { status: "ok", message: `Token ${result.name} revoked.`, nonce: Date.now() } : { status: "error", message: "That token was already revoked.", nonce: Date.now() };
}
