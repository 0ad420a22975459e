"use client";

import { useRef } from "react";
import { FieldErrors } from "@/components/field";
import { newKey } from "./draft";
import type { StepDraft } from "./types";

/**
 * Editable list of port+protocol rows (knock sequence or ports to open):
 * add, remove, move up/down. Inputs are named `${name}.${i}.port` so the
 * server's zod paths map straight back onto them.
 */
export function StepList(props: {
  name: string;
  legend: string;
  itemLabel: string;
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  errors: Record<string, string[]> | undefined;
  max: number;
  addLabel: string;
  hint?: string;
}) {
  const { name, steps, onChange, errors } = props;
  const listRef = useRef<HTMLOListElement>(null);
  const update = (i: number, patch: Partial<StepDraft>) => onChange(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, by: -1 | 1) => {
    const j = i + by;
    if (j < 0 || j >= steps.length) return;
    const next = [...steps];
    [next[i], next[j]] = [next[j]!, next[i]!];
    onChange(next);
  };
  const add = () => {
    const last = steps.at(-1);
    onChange([...steps, { key: newKey(), port: "", protocol: last?.protocol ?? "tcp" }]);
    // Focus the new row's port once it is rendered.
    requestAnimationFrame(() => {
      const inputs = listRef.current?.querySelectorAll<HTMLInputElement>("input[type=number]");
      inputs?.[inputs.length - 1]?.focus();
    });
  };
  const listErrors = errors?.[name] ?? [];
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.hint ? <p className="muted small">{props.hint}</p> : null}
      <ol className="steps" ref={listRef} aria-label={props.legend}>
        {steps.map((s, i) => {
          const portErrors = errors?.[`${name}.${i}.port`] ?? [];
          const protoErrors = errors?.[`${name}.${i}.protocol`] ?? [];
          const id = `${name}-${s.key}`;
          return (
            <li key={s.key}>
              <div className="step">
                <span className="step-no" aria-hidden="true">
                  {i + 1}.
                </span>
                <label className="sr-only" htmlFor={`${id}-port`}>
                  {props.itemLabel} {i + 1}, port number
                </label>
                <input
                  id={`${id}-port`}
                  name={`${name}.${i}.port`}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={65535}
                  placeholder="port"
                  value={s.port}
                  onChange={(e) => update(i, { port: e.target.value })}
                  aria-invalid={portErrors.length ? true : undefined}
                  aria-describedby={portErrors.length ? `${id}-err` : undefined}
                />
                <label className="sr-only" htmlFor={`${id}-proto`}>
                  {props.itemLabel} {i + 1}, protocol
                </label>
                <select
                  id={`${id}-proto`}
                  name={`${name}.${i}.protocol`}
                  value={s.protocol}
                  onChange={(e) => update(i, { protocol: e.target.value as StepDraft["protocol"] })}
                  aria-invalid={protoErrors.length ? true : undefined}
                >
                  <option value="tcp">TCP</option>
                  <option value="udp">UDP</option>
                </select>
                <span className="step-tools">
                  <button type="button" className="icon-btn" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${props.itemLabel.toLowerCase()} ${i + 1} up`} title="Move up">
                    ↑
                  </button>
                  <button type="button" className="icon-btn" onClick={() => move(i, 1)} disabled={i === steps.length - 1} aria-label={`Move ${props.itemLabel.toLowerCase()} ${i + 1} down`} title="Move down">
                    ↓
                  </button>
                  <button type="button" className="icon-btn" onClick={() => onChange(steps.filter((_, j) => j !== i))} aria-label={`Remove ${props.itemLabel.toLowerCase()} ${i + 1}`} title="Remove">
                    ✕
                  </button>
                </span>
              </div>
              <FieldErrors id={`${id}-err`} errors={[...portErrors, ...protoErrors]} />
            </li>
          );
        })}
      </ol>
      {steps.length === 0 ? <p className="muted small">None yet.</p> : null}
      <FieldErrors errors={listErrors} />
      <div className="form-actions" style={{ marginTop: "0.6rem" }}>
        <button type="button" className="btn small" onClick={add} disabled={steps.length >= props.max}>
          + {props.addLabel}
        </button>
      </div>
    </fieldset>
  );
}
