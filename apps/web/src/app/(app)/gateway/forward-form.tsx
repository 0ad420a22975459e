"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FieldErrors, FormFooter, valueOf } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { saveForwardAction } from "@/server/actions/forwards";

export interface ForwardFormValues {
  id?: number;
  name: string;
  comment: string;
  protocol: "tcp" | "udp";
  port: number | null;
  toAddress: string;
  toPort: number | null;
  dnat: boolean;
  enabled: boolean;
}

/** Create (no id) or edit a forward. */
export function ForwardForm({ forward }: { forward: ForwardFormValues }) {
  const [state, formAction, pending] = useActionState(saveForwardAction, IDLE);
  const checked = (name: "dnat" | "enabled") => (state.status === "error" ? state.values?.[name] === "on" : forward[name]);
  const lockout = state.fieldErrors?.confirmLockout;
  return (
    <form action={formAction} className="form" noValidate key={state.nonce ?? 0} aria-label={forward.id ? `Edit ${forward.name}` : "Add a forward"}>
      {forward.id ? <input type="hidden" name="id" value={forward.id} /> : null}
      <div className="field-row">
        <Field name="name" label="Name" state={state} hint="What this service is, e.g. intranet web.">
          {(a) => <input {...a} defaultValue={valueOf(state, "name", forward.name)} placeholder="intranet web" autoComplete="off" maxLength={64} />}
        </Field>
        <Field name="protocol" label="Protocol" state={state}>
          {(a) => (
            <select {...a} defaultValue={valueOf(state, "protocol", forward.protocol)}>
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
            </select>
          )}
        </Field>
        <Field name="port" label="Port" state={state} hint="With DNAT, the port clients connect to on this host. A door or user whose ports include it opens it.">
          {(a) => <input {...a} inputMode="numeric" defaultValue={valueOf(state, "port", forward.port)} placeholder="8080" autoComplete="off" />}
        </Field>
      </div>
      <div className="field-row">
        <Field name="toAddress" label="Inside host" state={state} hint="The server behind this host that runs the service (IPv4 or IPv6).">
          {(a) => <input {...a} defaultValue={valueOf(state, "toAddress", forward.toAddress)} placeholder="10.0.0.5" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="toPort" label="Inside port (optional)" state={state} hint="With DNAT, where the service listens on the inside host; empty: the same port. Without DNAT it is the port.">
          {(a) => <input {...a} inputMode="numeric" defaultValue={valueOf(state, "toPort", forward.toPort)} placeholder="same as the port" autoComplete="off" />}
        </Field>
      </div>
      <div className="field-row">
        <div className="field">
          <label className="check">
            <input type="checkbox" name="dnat" defaultChecked={checked("dnat")} />
            <span>DNAT: clients connect to this host, which rewrites the connection to the inside host</span>
          </label>
          <span className="hint">Off: clients address the inside host themselves and this host only gates what it routes.</span>
        </div>
        <div className="field">
          <label className="check">
            <input type="checkbox" name="enabled" defaultChecked={checked("enabled")} />
            <span>Enabled</span>
          </label>
        </div>
      </div>
      <Field name="comment" label="Comment" state={state}>
        {(a) => <input {...a} defaultValue={valueOf(state, "comment", forward.comment)} maxLength={200} placeholder="optional" />}
      </Field>
      {lockout ? (
        <div className="notice warn small">
          <FieldErrors errors={lockout} />
          <label className="check">
            <input type="checkbox" name="confirmLockout" />
            <span>I understand; save anyway.</span>
          </label>
        </div>
      ) : null}
      <FormFooter state={state} pending={pending}>
        {forward.id ? "Save forward" : "Add forward"}
      </FormFooter>
      {forward.id ? (
        <p className="small">
          <Link href="/gateway">Cancel editing</Link>
        </p>
      ) : null}
    </form>
  );
}
