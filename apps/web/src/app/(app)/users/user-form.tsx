"use client";

import { useActionState } from "react";
import { DateTimeField } from "@/components/date-time-field";
import { Field, FieldErrors, FormFooter, valueOf } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { saveUserAction } from "@/server/actions/users";

export interface UserFormValues {
  id?: number;
  name: string;
  comment: string;
  enabled: boolean;
  expiresAt: number | null;
  sources: string;
  ports: string;
  grantSec: number;
  maxGrantSec: number;
  requireSourceAddress: boolean;
}

/** Create (no id) or edit a user. */
export function UserForm({ user }: { user: UserFormValues }) {
  const [state, formAction, pending] = useActionState(saveUserAction, IDLE);
  const checked = (name: "enabled" | "requireSourceAddress") => (state.status === "error" ? state.values?.[name] === "on" : user[name]);
  const lockout = state.fieldErrors?.confirmLockout;
  return (
    <form action={formAction} className="form" noValidate key={state.nonce ?? 0}>
      {user.id ? <input type="hidden" name="id" value={user.id} /> : null}
      <div className="field-row">
        <Field name="name" label="Name" state={state} hint="Letters, digits, '.', '-', '_': also the fwknop stanza name.">
          {(a) => <input {...a} defaultValue={valueOf(state, "name", user.name)} placeholder="alice" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="ports" label="Ports the user may open" state={state} hint="e.g. 22 or 22, 5432, 53:udp. These ports become protected.">
          {(a) => <input {...a} defaultValue={valueOf(state, "ports", user.ports)} placeholder="22" autoComplete="off" spellCheck={false} />}
        </Field>
      </div>
      <div className="field-row">
        <Field name="sources" label="Allowed sources (optional)" state={state} hint="Networks the user may open from, e.g. 203.0.113.0/24, 2001:db8::/48. Empty: anywhere.">
          {(a) => <input {...a} defaultValue={valueOf(state, "sources", user.sources)} placeholder="anywhere" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="expiresAt" label="Expires (optional)" state={state} hint="After this the user opens nothing.">
          {(a) => <DateTimeField id={a.id} name="expiresAt" defaultValue={valueOf(state, "expiresAt", user.expiresAt)} aria-invalid={a["aria-invalid"]} aria-describedby={a["aria-describedby"]} />}
        </Field>
      </div>
      <div className="field-row">
        <Field name="grantSec" label="Grant length (s)" state={state} hint="How long a rotating knock (or an SPA message without a timeout) opens.">
          {(a) => <input {...a} type="number" min={1} max={86400} defaultValue={valueOf(state, "grantSec", user.grantSec)} />}
        </Field>
        <Field name="maxGrantSec" label="Longest grant (s)" state={state} hint="An SPA client's requested timeout is capped by this.">
          {(a) => <input {...a} type="number" min={1} max={86400} defaultValue={valueOf(state, "maxGrantSec", user.maxGrantSec)} />}
        </Field>
      </div>
      <div className="field-row">
        <Field name="comment" label="Comment" state={state}>
          {(a) => <input {...a} defaultValue={valueOf(state, "comment", user.comment)} maxLength={200} placeholder="who this is" />}
        </Field>
        <div className="field">
          <label className="check">
            <input type="checkbox" name="enabled" defaultChecked={checked("enabled")} />
            <span>Enabled</span>
          </label>
        </div>
      </div>
      <div className="field">
        <label className="check">
          <input type="checkbox" name="requireSourceAddress" defaultChecked={checked("requireSourceAddress")} aria-describedby="requireSourceAddress-hint" />
          <span>Require the packet&apos;s own source address (refuse fwknop -s / 0.0.0.0)</span>
        </label>
        <span id="requireSourceAddress-hint" className="hint">
          fwknopd&apos;s REQUIRE_SOURCE_ADDRESS: the SPA message must name the address it comes from (the client&apos;s -a or -R). Off: a
          message asking to open for whoever sends it (-s) is accepted too.
        </span>
      </div>
      {lockout ? (
        <div className="notice warn small" role="note">
          <FieldErrors id="e-confirmLockout" errors={lockout} />
          <label className="check">
            <input type="checkbox" name="confirmLockout" />
            <span>I understand; protect these ports anyway.</span>
          </label>
        </div>
      ) : null}
      <FormFooter state={state} pending={pending}>
        {user.id ? "Save user" : "Create user"}
      </FormFooter>
    </form>
  );
}
