"use server";

import { redirect } from "next/navigation";
import { errorState, formValues, issuesToFieldErrors, okState, type FormState } from "@/lib/form-state";
import { ADMIN_USER, attemptLogin, isCurrentPassword, setAdminPassword } from "../auth";
import { getClientAddress } from "../client-address";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { clearFailures, lockMessage, reserveAttempt } from "../login-throttle";
import { describeSetupTokenProblem, readSetupTokenState } from "../secrets";
import { endSession, requireSession, startSession } from "../session";
import { ChangePasswordSchema, LoginSchema, resolveSafeNext } from "@sesame/core";
import { SetupSchema } from "@/lib/auth-schemas";

/** Public (the login form). Throttled per client address. */
export async function loginAction(_prev: FormState, formData: FormData): Promise<FormState> {
  if (!(formData instanceof FormData)) return { status: "error", message: "Bad request." };
  const values = formValues(formData);
  delete values.password;
  const parsed = LoginSchema.safeParse({ password: formData.get("password") });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), values, "Enter the admin password.");
  const result = await attemptLogin(await getClientAddress(), parsed.data.password);
  if (!result.ok) return { status: "error", message: result.message, values, nonce: Date.now() };
  await startSession(ADMIN_USER);
  redirect(resolveSafeNext(formData.get("next")));
}

/** Public, but only with the one-time setup token from the server log. */
export async function setupAction(_prev: FormState, formData: FormData): Promise<FormState> {
  if (!(formData instanceof FormData)) return { status: "error", message: "Bad request." };
  const address = await getClientAddress();
  const db = getDb();
  const check = reserveAttempt(db, address, Date.now());
  if (!check.allowed) return { status: "error", message: lockMessage(check), nonce: Date.now() };
  const token = readSetupTokenState(String(formData.get("token") ?? ""));
  if (token !== "valid") return { status: "error", message: describeSetupTokenProblem(token), nonce: Date.now() };
  const parsed = SetupSchema.safeParse({ next: formData.get("next"), confirm: formData.get("confirm") });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), {});
  clearFailures(db, address);
  await setAdminPassword(parsed.data.next);
  applyChange(db, `${ADMIN_USER}@${address}`, { bumpConfig: false }, ({ record }) =>
    record({ action: "setup", entity: "password", entityId: ADMIN_USER }),
  );
  await startSession(ADMIN_USER);
  redirect("/");
}

export async function changePasswordAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const parsed = ChangePasswordSchema.safeParse({
    current: formData.get("current"),
    next: formData.get("next"),
    confirm: formData.get("confirm"),
  });
  if (!parsed.success) return errorState(issuesToFieldErrors(parsed.error.issues), {});
  const db = getDb();
  const address = await getClientAddress();
  const check = reserveAttempt(db, address, Date.now());
  if (!check.allowed) return { status: "error", message: lockMessage(check), nonce: Date.now() };
  if (!(await isCurrentPassword(parsed.data.current))) {
    return errorState({ current: ["The current password is wrong."] }, {});
  }
  clearFailures(db, address);
  await setAdminPassword(parsed.data.next);
  applyChange(db, session.actor, { bumpConfig: false }, ({ record }) =>
    record({ action: "change", entity: "password", entityId: session.user }),
  );
  // Every other session is now void; keep this browser logged in.
  await startSession(session.user);
  return okState("Password changed. Other sessions were signed out.");
}

export async function logoutAction(): Promise<void> {
  const session = await requireSession();
  await endSession(session.actor);
  redirect("/login");
}
