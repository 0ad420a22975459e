"use client";

import { useActionState, useState } from "react";
import { FieldErrors } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { deleteTrustedAction } from "@/server/actions/trusted";

export function TrustedDelete({ id, cidr }: { id: number; cidr: string }) {
  const [state, formAction, pending] = useActionState(deleteTrustedAction, IDLE);
  const [asking, setAsking] = useState(false);
  const lockout = state.fieldErrors?.confirmLockout;
  if (!asking && !lockout) {
    return (
      <button type="button" className="btn small danger" onClick={() => setAsking(true)} aria-label={`Remove ${cidr}`}>
        Remove
      </button>
    );
  }
  return (
    <form action={formAction} className="stack" style={{ gap: "0.35rem", justifyItems: "end" }}>
      <input type="hidden" name="id" value={id} />
      {lockout ? (
        <div className="notice warn small" style={{ textAlign: "left", whiteSpace: "normal", maxWidth: "24rem" }}>
          <FieldErrors errors={lockout} />
          <label className="check">
            <input type="checkbox" name="confirmLockout" />
            <span>I understand; remove it anyway.</span>
          </label>
        </div>
      ) : null}
      <div className="row">
        <span className="small">Remove {cidr}?</span>
        <button type="submit" className="btn small danger" disabled={pending} autoFocus>
          Yes
        </button>
        <button type="button" className="btn small" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
      {state.status === "error" && !lockout && state.message ? <FieldErrors errors={[state.message]} /> : null}
    </form>
  );
}
