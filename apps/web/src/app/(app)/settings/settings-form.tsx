"use client";

import { useActionState } from "react";
import { Field, FormFooter, valueOf } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { saveSettingsAction } from "@/server/actions/settings";

export function SettingsForm({
  current,
  attemptCapLimit,
}: {
  current: { interfaces: string[]; backend: string; retentionDays: number; maxAttempts: number; syslog: boolean; totp: { portLow: number; portHigh: number; length: number; protocols: string } };
  /** What this machine's memory allows (enforced by the server with the same figure). */
  attemptCapLimit: { limit: number; text: string };
}) {
  const [state, formAction, pending] = useActionState(saveSettingsAction, IDLE);
  return (
    // Re-mounted after each answer so the fields show what was submitted (error) or saved (ok).
    <form action={formAction} className="form" noValidate key={state.nonce ?? 0}>
      <div className="field-row">
        <Field name="interfaces" label="Interfaces" state={state} hint="Comma-separated, e.g. eth0, eth1. Empty: the default-route interface.">
          {(a) => <input {...a} defaultValue={valueOf(state, "interfaces", current.interfaces.join(", "))} placeholder="default route interface" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="backend" label="Firewall backend" state={state} hint="nftables unless the host only has iptables. Switched live: grants, bans and protection carry over.">
          {(a) => (
            <select {...a} defaultValue={valueOf(state, "backend", current.backend)}>
              <option value="nftables">nftables</option>
              <option value="iptables">iptables (+ ipset)</option>
            </select>
          )}
        </Field>
      </div>
      <div className="field-row">
        <Field name="retentionDays" label="Keep history for (days)" state={state} hint="The worker deletes older events.">
          {(a) => <input {...a} type="number" min={1} max={3650} defaultValue={valueOf(state, "retentionDays", current.retentionDays)} />}
        </Field>
        <Field name="maxAttempts" label="Max pending knock attempts" state={state} hint={`Caps memory under a spoofed flood; the oldest stage-1 attempts go first. Applied at once: lowering it drops what is over. ${attemptCapLimit.text}`}>
          {(a) => <input {...a} type="number" min={1000} max={attemptCapLimit.limit} defaultValue={valueOf(state, "maxAttempts", current.maxAttempts)} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" name="syslog" defaultChecked={state.status === "error" ? state.values?.syslog === "on" : current.syslog} />
        <span>
          Send events to syslog (ident <code>sesame</code>, key=value: <code>event=open door=ssh ip=10.0.0.5 ports=tcp/22 duration=300</code>),
          as knockd&apos;s UseSyslog does, for journald, log pipelines and Fail2Ban.
        </span>
      </label>
      <fieldset className="field-row" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="small muted">Rotating (TOTP) knock sequences: every user&apos;s sequence is drawn from these</legend>
        <Field name="totp.portLow" label="Lowest port" state={state}>
          {(a) => <input {...a} type="number" min={1} max={65535} defaultValue={valueOf(state, "totp.portLow", current.totp.portLow)} />}
        </Field>
        <Field name="totp.portHigh" label="Highest port" state={state} hint="At least 100 ports per knock.">
          {(a) => <input {...a} type="number" min={1} max={65535} defaultValue={valueOf(state, "totp.portHigh", current.totp.portHigh)} />}
        </Field>
        <Field name="totp.length" label="Knocks per sequence" state={state}>
          {(a) => <input {...a} type="number" min={4} max={12} defaultValue={valueOf(state, "totp.length", current.totp.length)} />}
        </Field>
        <Field name="totp.protocols" label="Protocols" state={state} hint="mix: each knock tcp or udp, from the code.">
          {(a) => (
            <select {...a} defaultValue={valueOf(state, "totp.protocols", current.totp.protocols)}>
              <option value="mix">tcp and udp (mix)</option>
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
            </select>
          )}
        </Field>
      </fieldset>
      <FormFooter state={state} pending={pending}>
        Save settings
      </FormFooter>
    </form>
  );
}
