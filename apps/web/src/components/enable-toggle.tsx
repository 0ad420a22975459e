"use client";

import { useActionState } from "react";
import { FieldErrors } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import type { toggleDoorAction } from "@/server/actions/doors";

/** An enable/disable server action (doors, forwards): id + enabled + confirmLockout in, form state out. */
export type ToggleAction = typeof toggleDoorAction;

/** Enable/disable switch for a list row; asks for the lock-out confirmation when the server wants it. */
export function EnableToggle({ id, name, enabled, action }: { id: number; name: string; enabled: boolean; action: ToggleAction }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const lockout = state.fieldErrors?.confirmLockout;
  return (
    <form action={formAction} className="stack" style={{ gap: "0.35rem" }}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <div className="row">
        <span className={`badge ${enabled ? "ok" : ""}`}>{enabled ? "enabled" : "disabled"}</span>
        <button type="submit" className="btn small" disabled={pending} aria-label={`${enabled ? "Disable" : "Enable"} ${name}`}>
          {enabled ? "Disable" : "Enable"}
        </button>
      </div>
      {lockout ? (
        <div className="notice warn small" style={{ maxWidth: "28rem", whiteSpace: "normal" }}>
          <FieldErrors errors={lockout} />
          <label className="check">
            <input type="checkbox" name="confirmLockout" />
            <span>I understand; enable anyway.</span>
          </label>
        </div>
      ) : state.status === "error" && state.message ? (
        <FieldErrors errors={[state.message]} />
      ) : null}
    </form>
  );
}
