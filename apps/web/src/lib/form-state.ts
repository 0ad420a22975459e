import type { z } from "zod";

/**
 * What every form's server action returns: field-level errors keyed by the
 * field's name (zod issue path joined with "."), a form-level message, and
 * the submitted values so the form re-renders with what the user typed.
 */
export interface FormState {
  status: "idle" | "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, string>;
  /** Incremented on every result so forms can reset / re-key after success. */
  nonce?: number;
}

export const IDLE: FormState = { status: "idle" };

export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** The positive integer `id` field of a form (an edit or a row action), or null. */
export function formId(formData: FormData): number | null {
  const id = Number(formData.get("id"));
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function formValues(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) {
    if (k.startsWith("$ACTION")) continue;
    if (typeof v === "string") out[k] = k in out ? `${out[k]},${v}` : v;
  }
  return out;
}

export function errorState(fieldErrors: Record<string, string[]>, values: Record<string, string>, message?: string): FormState {
  return {
    status: "error",
    message: message ?? "Please fix the highlighted fields; nothing was saved.",
    fieldErrors,
    values,
    nonce: Date.now(),
  };
}

export function okState(message: string): FormState {
  return { status: "ok", message, nonce: Date.now() };
}
