"use client";

import { useActionState } from "react";
import { FieldErrors } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { testChannelAction, toggleChannelAction } from "@/server/actions/notifications";

/** Sends a test message now and shows what the receiver said. */
export function TestChannelButton({ id, name }: { id: number; name: string }) {
  const [state, formAction, pending] = useActionState(testChannelAction, IDLE);
  return (
    <form action={formAction} className="stack" style={{ gap: "0.35rem" }}>
      <input type="hidden" name="id" value={id} />
      <div>
        <button type="submit" className="btn small" disabled={pending} aria-label={`Send a test to ${name}`}>
          {pending ? "Sending…" : "Send test"}
        </button>
      </div>
      {state.status === "ok" ? (
        <p className="notice ok small" role="status" data-testid="test-result">
          {state.message}
        </p>
      ) : state.status === "error" && state.message ? (
        <div data-testid="test-result">
          <FieldErrors errors={[state.message]} />
        </div>
      ) : null}
    </form>
  );
}

export function ChannelToggle({ id, name, enabled }: { id: number; name: string; enabled: boolean }) {
  const [state, formAction, pending] = useActionState(toggleChannelAction, IDLE);
  return (
    <form action={formAction}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <button type="submit" className="btn small" disabled={pending} aria-label={`${enabled ? "Disable" : "Enable"} ${name}`}>
        {enabled ? "Disable" : "Enable"}
      </button>
      {state.status === "error" && state.message ? <FieldErrors errors={[state.message]} /> : null}
    </form>
  );
}
