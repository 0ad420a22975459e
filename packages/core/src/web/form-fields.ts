/**
 * Building blocks of the zod schemas the web forms, the server and the worker
 * share: form and search-param values arrive as strings, and every message is
 * a sentence naming the field.
 */
import { z } from "zod";

/** "" and null (empty form fields, missing search params) mean "not given". */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());
}

/** Whole numbers in [min, max]; numeric strings (form fields, search params) are accepted. */
export function intIn(min: number, max: number, message: string) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.int({ error: message }).min(min, { error: message }).max(max, { error: message }),
  );
}

/** "true"/"on"/"1" from forms and search params count as true; "false"/"off"/"0" as false. */
export function bool(message: string) {
  return z.preprocess((v) => {
    if (v === "true" || v === "on" || v === "1") return true;
    if (v === "false" || v === "off" || v === "0") return false;
    return v;
  }, z.boolean({ error: message }));
}

/** Milliseconds since the epoch, or an ISO date string. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function timeSchema(message: string) {
  return z.preprocess((v) => parseTime(v) ?? v, z.number({ error: message }).int({ error: message }).min(0, { error: message }));
}

/** Field path → first message, for forms (`steps.1.port` style keys; "" for the whole object). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
