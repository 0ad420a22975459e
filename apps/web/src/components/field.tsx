import type { ReactNode } from "react";
import type { FormState } from "@/lib/form-state";

/** Label + control + hint + field-level error, wired for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  state?: FormState;
  hint?: ReactNode;
  children: (a11y: { id: string; name: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
  /** Error keys to show here besides `name` (e.g. nested paths). */
  errorKeys?: string[];
  /** Keeps ids unique when two forms on one page have fields of the same name. */
  idPrefix?: string;
}) {
  const id = `${props.idPrefix ?? "f"}-${props.name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
  const errors = [props.name, ...(props.errorKeys ?? [])].flatMap((k) => props.state?.fieldErrors?.[k] ?? []);
  const describedBy = [props.hint ? `${id}-hint` : null, errors.length ? `${id}-err` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        name: props.name,
        ...(errors.length ? { "aria-invalid": true as const } : {}),
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
      })}
      {props.hint ? (
        <span className="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </div>
  );
}

export function FieldErrors({ id, errors }: { id?: string; errors: string[] }) {
  if (!errors.length) return null;
  if (errors.length === 1) {
    return (
      <p className="field-error" id={id} role="alert">
        {errors[0]}
      </p>
    );
  }
  // Several errors (e.g. one per knockd.conf line): one item each, not one run-on paragraph.
  return (
    <ul className="field-error" id={id} role="alert">
      {errors.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}

export function FormMessage({ state }: { state: FormState }) {
  if (!state.message || state.status === "idle") return null;
  return (
    <p className={`notice ${state.status === "ok" ? "ok" : "danger"}`} role={state.status === "ok" ? "status" : "alert"}>
      {state.message}
    </p>
  );
}

/** The form's message, then its submit button, disabled while the action runs. */
export function FormFooter({ state, pending, children }: { state: FormState; pending: boolean; children: ReactNode }) {
  return (
    <>
      <FormMessage state={state} />
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={pending}>
          {children}
        </button>
      </div>
    </>
  );
}

/** The value to show in a field: what the user just submitted, else the stored value. */
export function valueOf(state: FormState | undefined, name: string, fallback: string | number | null | undefined): string {
  const v = state?.status === "error" ? state.values?.[name] : undefined;
  return v ?? (fallback == null ? "" : String(fallback));
}
