"use client";

import { useActionState } from "react";
import { Field, FormMessage } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { loginAction } from "@/server/actions/auth";

export function LoginForm({ next, initialLock }: { next: string; initialLock?: string }) {
  const [state, formAction, pending] = useActionState(loginAction, initialLock ? { status: "error" as const, message: initialLock } : IDLE);
  return (
    <form action={formAction} className="form" noValidate>
      <input type="hidden" name="next" value={next} />
      <input type="hidden" name="username" value="admin" autoComplete="username" />
      <Field name="password" label="Admin password" state={state}>
        {(a) => <input {...a} type="password" autoComplete="current-password" required autoFocus />}
      </Field>
      <FormMessage state={state} />
      <button className="btn primary" type="submit" disabled={pending}>
        {pending ? "Checking…" : "Log in"}
      </button>
    </form>
  );
}
