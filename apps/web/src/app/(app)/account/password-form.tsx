"use client";

import { useActionState } from "react";
import { Field, FormFooter } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { changePasswordAction } from "@/server/actions/auth";

export function PasswordForm() {
  const [state, formAction, pending] = useActionState(changePasswordAction, IDLE);
  return (
    <form action={formAction} className="form" noValidate>
      <input type="hidden" name="username" value="admin" autoComplete="username" />
      <Field name="current" label="Current password" state={state}>
        {(a) => <input {...a} type="password" autoComplete="current-password" />}
      </Field>
      <Field name="next" label="New password" state={state} hint="At least 12 characters.">
        {(a) => <input {...a} type="password" autoComplete="new-password" />}
      </Field>
      <Field name="confirm" label="Repeat the new password" state={state}>
        {(a) => <input {...a} type="password" autoComplete="new-password" />}
      </Field>
      <FormFooter state={state} pending={pending}>
        Change password
      </FormFooter>
    </form>
  );
}
