"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { readMetricsToken, removeMetricsToken, rotateMetricsToken } from "../metrics/token";
import { requireSession } from "../session";

export interface MetricsTokenState {
  status: "idle" | "ok" | "error";
  message?: string;
  /** The new token, in this one answer only (never stored, never shown again). */
  token?: string;
  nonce?: number;
}

const IntentSchema = z.enum(["rotate", "remove"], { error: "Choose to create, rotate or remove the token." });

/** Create/rotate (the new token is returned once) or remove the /metrics bearer token; audited. */
export async function metricsTokenAction(_prev: MetricsTokenState, formData: FormData): Promise<MetricsTokenState> {
  const session = await requireSession();
  const intent = IntentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return { status: "error", message: intent.error.issues[0]?.message, nonce: Date.now() };
  const { result } = applyChange(getDb(), session.actor, { bumpConfig: false }, ({ tx, record }) => {
    const before = readMetricsToken(tx);
    const summary = (t: typeof before) => (t ? { prefix: t.prefix, createdAt: t.createdAt } : null);
    if (intent.data === "remove") {
      removeMetricsToken(tx);
      record({ action: "delete", entity: "metrics-token", before: summary(before) });
      return null;
    }
    const { token, stored } = rotateMetricsToken(tx, session.actor);
    record({ action: before ? "rotate" : "create", entity: "metrics-token", before: summary(before), after: summary(stored) });
    return token;
  });
  revalidatePath("/settings");
  if (result === null) return { status: "ok", message: "Metrics token removed: /metrics now answers only to this host.", nonce: Date.now() };
  return { status: "ok", message: "New metrics token. Copy it now: it is not shown again.", token: result, nonce: Date.now() };
}
