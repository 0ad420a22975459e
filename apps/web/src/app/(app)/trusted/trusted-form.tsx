"use client";

import { useActionState } from "react";
import { DateTimeField } from "@/components/date-time-field";
import { Field, FormFooter, valueOf } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { addTrustedAction } from "@/server/actions/trusted";

export function TrustedForm({ suggestion }: { suggestion: string }) {
  const [state, formAction, pending] = useActionState(addTrustedAction, IDLE);
  return (
    <form action={formAction} className="form" noValidate key={state.nonce ?? 0}>
      <div className="field-row">
        <Field name="cidr" label="Network (CIDR) or address" state={state} hint={`IPv4 or IPv6, e.g. 192.168.1.0/24, 2001:db8::/48 or ${suggestion}`}>
          {(a) => <input {...a} defaultValue={valueOf(state, "cidr", "")} placeholder="192.168.1.0/24" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="comment" label="Comment" state={state} hint="Who or what this is.">
          {(a) => <input {...a} defaultValue={valueOf(state, "comment", "")} placeholder="office LAN" maxLength={200} />}
        </Field>
        <Field name="expiresAt" label="Expires (optional)" state={state} hint="Leave empty to trust until removed. With an expiry the kernel stops trusting it when due, even if the worker is down.">
          {(a) => <DateTimeField id={a.id} name="expiresAt" defaultValue={valueOf(state, "expiresAt", "")} aria-invalid={a["aria-invalid"]} aria-describedby={a["aria-describedby"]} />}
        </Field>
      </div>
      <FormFooter state={state} pending={pending}>
        Add trusted network
      </FormFooter>
    </form>
  );
}
