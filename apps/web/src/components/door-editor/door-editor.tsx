"use client";

import { doorToKnockdSection, type Door } from "@sesame/core";
import { useActionState, useMemo, useState, startTransition, type FormEvent } from "react";
import { FieldErrors, FormMessage } from "@/components/field";
import { IDLE } from "@/lib/form-state";
import { formatDuration } from "@/lib/format";
import { knockCommandFor, weakSequenceWarnings } from "@sesame/core";
import { saveDoorAction } from "@/server/actions/doors";
import { draftToDoor } from "./draft";
import { StepList } from "./step-list";
import { TCP_FLAG_NAMES, type DoorDraft, type FlagChoice } from "./types";

export interface DoorEditorProps {
  initial: DoorDraft;
  /** The other doors, for warnings, the close-door choice and the knockd.conf preview. */
  otherDoors: Door[];
  host: string;
  adminIp: string;
  adminTrusted: boolean;
  cancelHref: string;
}

/**
 * Sequence editor: knock steps, timeout, TCP flags, what happens on
 * success, cooldown, duplicate tolerance — with the equivalent `knock`
 * command, the knockd.conf section and weak-sequence warnings, live.
 */
export function DoorEditor({ initial, otherDoors, host, adminIp, adminTrusted, cancelHref }: DoorEditorProps) {
  const [d, setD] = useState<DoorDraft>(initial);
  const [state, formAction, pending] = useActionState(saveDoorAction, IDLE);
  const set = <K extends keyof DoorDraft>(k: K, v: DoorDraft[K]) => setD((old) => ({ ...old, [k]: v }));
  const errors = state.fieldErrors;
  const err = (k: string) => errors?.[k] ?? [];
  const inv = (k: string) => (err(k).length ? { "aria-invalid": true as const, "aria-describedby": `e-${k}` } : {});

  const door = useMemo(() => draftToDoor(d), [d]);
  const warnings = useMemo(() => weakSequenceWarnings(door, { otherDoors }), [door, otherDoors]);
  const knock = useMemo(() => (door.sequence.length ? knockCommandFor(door, host) : ""), [door, host]);
  const section = useMemo(() => {
    try {
      return doorToKnockdSection(door, { doors: [...otherDoors, door] });
    } catch (e) {
      return `# ${(e as Error).message}`;
    }
  }, [door, otherDoors]);

  const protects = d.enabled && d.actionKind === "open";
  const showLockout = protects && !adminTrusted;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    // Submit in a transition ourselves: React's automatic form reset would
    // otherwise wipe what the user typed when the server says "fix this".
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    startTransition(() => formAction(fd));
  };

  const closeChoices = otherDoors.filter((o) => o.action.kind === "open");

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-describedby="editor-status">
      {d.id !== null ? <input type="hidden" name="id" value={d.id} /> : null}
      <div id="editor-status">
        <FormMessage state={state} />
      </div>

      <div className="grid-2">
        <div className="stack">
          <section className="card stack" aria-labelledby="h-basics">
            <h2 id="h-basics">Sequence</h2>
            <div className="field">
              <label htmlFor="f-name">Name</label>
              <input id="f-name" name="name" value={d.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" placeholder="openSSH" {...inv("name")} />
              <span className="hint">Also the knockd.conf section name: letters, digits, . - _</span>
              <FieldErrors id="e-name" errors={err("name")} />
            </div>
            <StepList
              name="steps"
              legend="Knocks, in order"
              itemLabel="Knock"
              steps={d.steps}
              onChange={(s) => set("steps", s)}
              errors={errors}
              max={32}
              addLabel="Add knock"
              hint="Each knock is one TCP SYN or one UDP datagram to that port."
            />
            <div className="field-row">
              <div className="field">
                <label htmlFor="f-seqTimeoutSec">Sequence timeout (s)</label>
                <input id="f-seqTimeoutSec" name="seqTimeoutSec" type="number" min={1} max={3600} value={d.seqTimeoutSec} onChange={(e) => set("seqTimeoutSec", e.target.value)} {...inv("seqTimeoutSec")} />
                <span className="hint">From the first knock; knockd&apos;s default is 25.</span>
                <FieldErrors id="e-seqTimeoutSec" errors={err("seqTimeoutSec")} />
              </div>
              <div className="field">
                <label htmlFor="f-cooldownSec">Cooldown (s)</label>
                <input id="f-cooldownSec" name="cooldownSec" type="number" min={0} max={86400} value={d.cooldownSec} onChange={(e) => set("cooldownSec", e.target.value)} {...inv("cooldownSec")} />
                <span className="hint">Ignore this door for the same address after a success.</span>
                <FieldErrors id="e-cooldownSec" errors={err("cooldownSec")} />
              </div>
            </div>
            <label className="check">
              <input type="hidden" name="tolerateDuplicates" value="false" />
              <input type="checkbox" name="tolerateDuplicates" value="true" checked={d.tolerateDuplicates} onChange={(e) => set("tolerateDuplicates", e.target.checked)} />
              <span>
                Tolerate duplicate knocks
                <span className="hint muted small" style={{ display: "block" }}>
                  An immediately repeated knock on the same port (a retransmitted SYN) does not break the sequence.
                </span>
              </span>
            </label>
            <FieldErrors errors={err("tolerateDuplicates")} />
          </section>

          <section className="card stack" aria-labelledby="h-advanced">
            <h2 id="h-advanced">Matching</h2>
            <fieldset>
              <legend>TCP flags</legend>
              <p className="muted small">Only TCP knocks with these flags count (knockd&apos;s TCPFlags, e.g. syn,!ack).</p>
              <div className="field-row" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(110px, 1fr))" }}>
                {TCP_FLAG_NAMES.map((f) => (
                  <div className="field" key={f}>
                    <label htmlFor={`f-flag-${f}`}>{f.toUpperCase()}</label>
                    <select id={`f-flag-${f}`} name={`flags.${f}`} value={d.flags[f]} onChange={(e) => set("flags", { ...d.flags, [f]: e.target.value as FlagChoice })}>
                      <option value="">any</option>
                      <option value="set">must be set</option>
                      <option value="clear">must be clear</option>
                    </select>
                  </div>
                ))}
              </div>
              <FieldErrors errors={[...err("tcpFlags"), ...err("tcpFlags.set"), ...err("tcpFlags.clear")]} />
            </fieldset>
            <div className="field">
              <label htmlFor="f-target">Target address (optional)</label>
              <input id="f-target" name="target" value={d.target} onChange={(e) => set("target", e.target.value)} placeholder="this host's addresses" autoComplete="off" {...inv("target")} />
              <span className="hint">Match knocks sent to this address instead of the host&apos;s own (knockd&apos;s Target).</span>
              <FieldErrors id="e-target" errors={err("target")} />
            </div>
          </section>
        </div>

        <div className="stack">
          <section className="card stack" aria-labelledby="h-action">
            <h2 id="h-action">On success</h2>
            <fieldset>
              <legend>Action</legend>
              <div className="stack" style={{ gap: "0.4rem" }}>
                {(
                  [
                    ["open", "Open ports to the knocker", "Accept the ports below from the knocking address for a while."],
                    ["close", "Close the knocker's grants", "Revoke what an open door granted to this address."],
                    ["ban", "Ban the knocker (decoy)", "Drop the address on all protected ports. Never bans a trusted network."],
                  ] as const
                ).map(([value, label, hint]) => (
                  <label className="check" key={value}>
                    <input type="radio" name="action.kind" value={value} checked={d.actionKind === value} onChange={() => set("actionKind", value)} />
                    <span>
                      {label}
                      <span className="hint muted small" style={{ display: "block" }}>
                        {hint}
                      </span>
                    </span>
                  </label>
                ))}
              </div>
              <FieldErrors errors={[...err("action"), ...err("action.kind")]} />
            </fieldset>

            {d.actionKind === "open" ? (
              <>
                <StepList name="action.ports" legend="Ports to open" itemLabel="Open port" steps={d.openPorts} onChange={(s) => set("openPorts", s)} errors={errors} max={16} addLabel="Add port" />
                <div className="field">
                  <label htmlFor="f-durationSec">Open for (s)</label>
                  <input id="f-durationSec" name="action.durationSec" type="number" min={1} max={86400} value={d.durationSec} onChange={(e) => set("durationSec", e.target.value)} {...inv("action.durationSec")} />
                  <span className="hint">{/^\d+$/.test(d.durationSec) ? `= ${formatDuration(Number(d.durationSec))}; ` : ""}a kernel-side timeout closes it even if the worker stops.</span>
                  <FieldErrors id="e-action.durationSec" errors={err("action.durationSec")} />
                </div>
              </>
            ) : null}
            {d.actionKind === "ban" ? (
              <div className="field">
                <label htmlFor="f-banDurationSec">Ban for (s)</label>
                <input id="f-banDurationSec" name="action.banDurationSec" type="number" min={1} max={31536000} value={d.banDurationSec} onChange={(e) => set("banDurationSec", e.target.value)} {...inv("action.banDurationSec")} />
                <span className="hint">{/^\d+$/.test(d.banDurationSec) ? `= ${formatDuration(Number(d.banDurationSec))}` : ""}</span>
                <FieldErrors id="e-action.banDurationSec" errors={err("action.banDurationSec")} />
              </div>
            ) : null}
            {d.actionKind === "close" ? (
              <div className="field">
                <label htmlFor="f-closeDoorName">Close grants of</label>
                <select id="f-closeDoorName" name="action.doorName" value={d.closeDoorName} onChange={(e) => set("closeDoorName", e.target.value)} {...inv("action.doorName")}>
                  <option value="">any door</option>
                  {closeChoices.map((o) => (
                    <option key={o.id} value={o.name}>
                      {o.name}
                    </option>
                  ))}
                </select>
                <FieldErrors id="e-action.doorName" errors={err("action.doorName")} />
              </div>
            ) : null}

            <label className="check">
              <input type="hidden" name="enabled" value="false" />
              <input type="checkbox" name="enabled" value="true" checked={d.enabled} onChange={(e) => set("enabled", e.target.checked)} />
              <span>Enabled</span>
            </label>

            {showLockout || err("confirmLockout").length ? (
              <div className="notice warn" role="note">
                <strong>Lock-out check.</strong> Your address <code>{adminIp}</code> is not in any trusted network. Once this door is
                enabled, its ports are dropped for everyone who has not knocked — including you, if you manage this appliance through
                one of them. Consider adding a trusted network first.
                <label className="check" style={{ marginTop: "0.5rem" }}>
                  <input type="checkbox" name="confirmLockout" checked={d.confirmLockout} onChange={(e) => set("confirmLockout", e.target.checked)} aria-describedby="e-confirmLockout" />
                  <span>I understand; protect these ports anyway.</span>
                </label>
                <FieldErrors id="e-confirmLockout" errors={err("confirmLockout")} />
              </div>
            ) : null}
          </section>

          <section className="card stack" aria-labelledby="h-preview">
            <h2 id="h-preview">Preview</h2>
            {warnings.length ? (
              <div className="notice warn" role="status" aria-live="polite">
                <strong>Weak sequence</strong>
                <ul>
                  {warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="field">
              <span className="label">Knock from a client</span>
              <pre className="code wrap" data-testid="knock-command">{knock || "# add knocks to see the command"}</pre>
            </div>
            <div className="field">
              <span className="label">Equivalent knockd.conf section</span>
              <pre className="code wrap" data-testid="knockd-section">
                {section.replace(/\n$/, "").split("\n").map((line, i) => (
                  <span key={i} className="code-line">
                    {line}
                  </span>
                ))}
              </pre>
            </div>
          </section>
        </div>
      </div>

      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : d.id === null ? "Create" : "Save changes"}
        </button>
        <a className="btn" href={cancelHref}>
          Cancel
        </a>
      </div>
    </form>
  );
}
