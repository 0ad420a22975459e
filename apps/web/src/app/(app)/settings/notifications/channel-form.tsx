"use client";

import { NOTIFY_KIND_LABELS, NOTIFY_KINDS, WEBHOOK_PRESET_LABELS, WEBHOOK_PRESETS, type NotifyKind } from "@sesame/core";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Field, FieldErrors, FormFooter, valueOf } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import type { ChannelView } from "@/server/notify/channels";
import { saveChannelAction } from "@/server/actions/notifications";

/**
 * Add or edit a channel: a webhook (with a body preset) or an SMTP server.
 * Saved secrets are never sent to the browser: their fields say "set" and
 * stay empty; typing replaces, the box removes.
 */
export function ChannelForm({ channel }: { channel?: ChannelView }) {
  const [state, formAction, pending] = useActionState(saveChannelAction, IDLE);
  const [type, setType] = useState<"webhook" | "email">((state.values?.type as "webhook" | "email" | undefined) ?? channel?.type ?? "webhook");
  const web = channel?.config.type === "webhook" ? channel.config : undefined;
  const mail = channel?.config.type === "email" ? channel.config : undefined;
  const keeps = channel?.type === type;
  const chosen = new Set<string>(state.status === "error" ? (state.values?.events ?? "").split(",").filter(Boolean) : (channel?.events ?? ["open", "ban", "worker"]));
  const isOn = (name: string, stored: boolean) => (state.status === "error" ? state.values?.[name] === "on" : stored);
  const p = channel ? `c${channel.id}` : "new";
  return (
    <form action={formAction} className="form" noValidate key={state.nonce ?? 0}>
      {channel ? <input type="hidden" name="id" value={channel.id} /> : null}
      <div className="field-row">
        <Field name="type" label="Type" state={state} idPrefix={p}>
          {(a) => (
            <select {...a} value={type} onChange={(e) => setType(e.target.value as "webhook" | "email")}>
              <option value="webhook">Webhook (ntfy, Slack, Matrix, JSON)</option>
              <option value="email">E-mail (SMTP)</option>
            </select>
          )}
        </Field>
        <Field name="name" label="Name" state={state} idPrefix={p} hint="Shown in the list and the audit log.">
          {(a) => <input {...a} defaultValue={valueOf(state, "name", channel?.name)} placeholder="ops phone" maxLength={64} autoComplete="off" />}
        </Field>
      </div>

      {type === "webhook" ? (
        <div className="field-row">
          <Field name="preset" label="Body" state={state} idPrefix={p}>
            {(a) => (
              <select {...a} defaultValue={valueOf(state, "preset", web?.preset ?? "ntfy")}>
                {WEBHOOK_PRESETS.map((k) => (
                  <option key={k} value={k}>
                    {WEBHOOK_PRESET_LABELS[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            name="url"
            label="URL"
            state={state}
            idPrefix={p}
            hint={keeps && channel?.hasUrl ? `Saved (${web?.urlHint}). Leave empty to keep it.` : "Where to POST the JSON: an ntfy topic URL, a Slack incoming webhook, a Matrix room's send URL."}
          >
            {(a) => <input {...a} defaultValue={state.status === "error" ? (state.values?.url ?? "") : ""} placeholder={keeps && channel?.hasUrl ? "(saved; type to replace)" : "https://ntfy.sh/my-sesame-topic"} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field name="token" label="Bearer token (optional)" state={state} idPrefix={p} hint={keeps && channel?.hasToken ? "A token is set. Leave empty to keep it." : "Sent as Authorization: Bearer … (ntfy access token, Matrix access token)."}>
            {(a) => <input {...a} type="password" defaultValue="" placeholder={keeps && channel?.hasToken ? "set" : ""} autoComplete="new-password" />}
          </Field>
          {keeps && channel?.hasToken ? (
            <label className="check">
              <input type="checkbox" name="clearToken" defaultChecked={isOn("clearToken", false)} />
              <span>Remove the saved token</span>
            </label>
          ) : null}
        </div>
      ) : (
        <>
          <div className="field-row">
            <Field name="host" label="SMTP server" state={state} idPrefix={p}>
              {(a) => <input {...a} defaultValue={valueOf(state, "host", mail?.host)} placeholder="smtp.example.com" autoComplete="off" spellCheck={false} />}
            </Field>
            <Field name="port" label="Port" state={state} idPrefix={p}>
              {(a) => <input {...a} inputMode="numeric" defaultValue={valueOf(state, "port", mail?.port ?? 587)} />}
            </Field>
            <Field name="security" label="Security" state={state} idPrefix={p} hint="STARTTLS on 587, TLS on 465; none only for a relay on this host.">
              {(a) => (
                <select {...a} defaultValue={valueOf(state, "security", mail?.security ?? "starttls")}>
                  <option value="starttls">STARTTLS (required)</option>
                  <option value="tls">TLS from the start</option>
                  <option value="none">None (plain SMTP)</option>
                </select>
              )}
            </Field>
          </div>
          <div className="field-row">
            <Field name="username" label="User name (optional)" state={state} idPrefix={p}>
              {(a) => <input {...a} defaultValue={valueOf(state, "username", mail?.username)} autoComplete="off" spellCheck={false} />}
            </Field>
            <Field name="password" label="Password" state={state} idPrefix={p} hint={keeps && channel?.hasPassword ? "A password is set. Leave empty to keep it." : "Needed with a user name."}>
              {(a) => <input {...a} type="password" defaultValue="" placeholder={keeps && channel?.hasPassword ? "set" : ""} autoComplete="new-password" />}
            </Field>
            <Field name="from" label="From" state={state} idPrefix={p}>
              {(a) => <input {...a} defaultValue={valueOf(state, "from", mail?.from)} placeholder="sesame@example.com" autoComplete="off" spellCheck={false} />}
            </Field>
            <Field name="to" label="To" state={state} idPrefix={p} hint="One or more addresses, separated by commas." errorKeys={Array.from({ length: 20 }, (_, i) => `to.${i}`)}>
              {(a) => <input {...a} defaultValue={valueOf(state, "to", mail?.to.join(", "))} placeholder="ops@example.com" autoComplete="off" spellCheck={false} />}
            </Field>
          </div>
        </>
      )}

      <fieldset>
        <legend>Send these events</legend>
        <div className="stack" style={{ gap: "0.4rem" }}>
          {NOTIFY_KINDS.map((k: NotifyKind) => (
            <label className="check" key={k}>
              <input type="checkbox" name="events" value={k} defaultChecked={chosen.has(k)} />
              <span>{NOTIFY_KIND_LABELS[k]}</span>
            </label>
          ))}
        </div>
        <FieldErrors errors={Object.entries(state.fieldErrors ?? {}).filter(([k]) => k === "events" || k.startsWith("events.")).flatMap(([, v]) => v)} />
      </fieldset>

      <div className="field-row">
        <Field name="rateCount" label="At most (messages)" state={state} idPrefix={p}>
          {(a) => <input {...a} inputMode="numeric" defaultValue={valueOf(state, "rateCount", channel?.rateCount ?? 10)} />}
        </Field>
        <Field name="ratePerSec" label="Per (seconds)" state={state} idPrefix={p} hint="Beyond that, one digest at the end of the window: “37 more bans in the last minute”.">
          {(a) => <input {...a} inputMode="numeric" defaultValue={valueOf(state, "ratePerSec", channel?.ratePerSec ?? 60)} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" name="enabled" defaultChecked={isOn("enabled", channel?.enabled ?? true)} />
        <span>Enabled</span>
      </label>
      <FormFooter state={state} pending={pending}>
        {channel ? "Save channel" : "Add channel"}
      </FormFooter>
      {channel ? (
        <p>
          <Link href="/settings/notifications">Back to the channels</Link>
        </p>
      ) : null}
    </form>
  );
}
