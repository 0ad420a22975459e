"use client";

import { DateTimeField } from "@/components/date-time-field";
import { Field } from "@/components/field";
import type { FormState } from "@/lib/form-state";

/** GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function HistoryFilters(props: {
  view: "events" | "opens";
  values: Record<string, string | undefined>;
  errors: Record<string, string[]>;
  doors: string[];
  kinds: string[];
}) {
  const { values } = props;
  const state: FormState = { status: "idle", fieldErrors: props.errors };
  const field = { state, idPrefix: "hf" };
  return (
    <form method="get" action="/history" className="form" role="search" aria-label="Filter history">
      {props.view === "opens" ? <input type="hidden" name="view" value="opens" /> : null}
      <div className="field-row">
        <Field name="ip" label="Address or network" {...field}>
          {(a) => <input {...a} defaultValue={values.ip ?? ""} placeholder="10.0.0.5 or 10.0.0.0/24" autoComplete="off" spellCheck={false} />}
        </Field>
        <Field name="door" label="Door" {...field}>
          {(a) => (
            <select {...a} defaultValue={values.door ?? ""}>
              <option value="">any</option>
              {props.doors.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
              {values.door && !props.doors.includes(values.door) ? <option value={values.door}>{values.door} (deleted)</option> : null}
            </select>
          )}
        </Field>
        <Field name="user" label="User" {...field}>
          {(a) => <input {...a} defaultValue={values.user ?? ""} placeholder="any" autoComplete="off" spellCheck={false} />}
        </Field>
        {props.view === "events" ? (
          <Field name="kind" label="Kind" {...field}>
            {(a) => (
              <select {...a} defaultValue={values.kind ?? ""}>
                <option value="">any</option>
                {props.kinds.map((k) => (
                  <option key={k} value={k}>
                    {k === "open" ? "open (OPEN SESAME)" : k}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field name="from" label="From" {...field}>
          {(a) => <DateTimeField {...a} defaultValue={values.from} />}
        </Field>
        <Field name="to" label="To" {...field}>
          {(a) => <DateTimeField {...a} defaultValue={values.to} />}
        </Field>
        <Field name="pageSize" label="Rows per page" {...field}>
          {(a) => (
            <select {...a} defaultValue={values.pageSize ?? "50"}>
              {["25", "50", "100", "250", "500"].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn primary" type="submit">
          Apply filters
        </button>
        <a className="btn" href={props.view === "opens" ? "/history?view=opens" : "/history"}>
          Reset
        </a>
      </div>
    </form>
  );
}
