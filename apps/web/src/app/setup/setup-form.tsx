"use client";

import { useActionState } from "react";
import { Field, FormMessage } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { setupAction } from "@/server/actions/auth";

export function SetupForm({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(setupAction, IDLE);
  return (
    <form action={formAction} className="form" noValidate>
      <p className="muted small">This link works once. The password is stored as a scrypt hash outside the repository.</p>
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="username" value="admin" autoComplete="username" />
      <Field name="next" label="New password" state={state} hint="At least 12 characters.">
        {(a) => <input {...a} type="password" autoComplete="new-password" required />}
      </Field>
      <Field name="confirm" label="Repeat it" state={state}>
        {(a) => <input {...a} type="password" autoComplete="new-password" required />}
      </Field>
      <FormMessage state={state} />
      <button className="btn primary" type="submit" disabled={pending}>
        Set password and log in
      </button>
    </form>
  );
}
