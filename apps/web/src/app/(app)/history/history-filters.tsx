"use client";

import { DateTimeField } from "@/components/date-time-field";
import { FieldErrors } from "@/components/field";

/** GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function HistoryFilters(props: {
  view: "events" | "opens";
  values: Record<string, string | undefined>;
  errors: Record<string, string[]>;
  doors: string[];
  kinds: string[];
}) {
  const { values, errors } = props;
  const a = (k: string) => (errors[k]?.length ? { "aria-invalid": true as const, "aria-describedby": `hf-${k}-err` } : {});
  return (
    <form method="get" action="/history" className="form" role="search" aria-label="Filter history">
      {props.view === "opens" ? <input type="hidden" name="view" value="opens" /> : null}
      <div className="field-row">
        <div className="field">
          <label htmlFor="hf-ip">Address or network</label>
          <input id="hf-ip" name="ip" defaultValue={values.ip ?? ""} placeholder="10.0.0.5 or 10.0.0.0/24" autoComplete="off" spellCheck={false} {...a("ip")} />
          <FieldErrors id="hf-ip-err" errors={errors.ip ?? []} />
        </div>
        <div className="field">
          <label htmlFor="hf-door">Door</label>
          <select id="hf-door" name="door" defaultValue={values.door ?? ""} {...a("door")}>
            <option value="">any</option>
            {props.doors.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
            {values.door && !props.doors.includes(values.door) ? <option value={values.door}>{values.door} (deleted)</option> : null}
          </select>
          <FieldErrors id="hf-door-err" errors={errors.door ?? []} />
        </div>
        {props.view === "events" ? (
          <div className="field">
            <label htmlFor="hf-kind">Kind</label>
            <select id="hf-kind" name="kind" defaultValue={values.kind ?? ""} {...a("kind")}>
              <option value="">any</option>
              {props.kinds.map((k) => (
                <option key={k} value={k}>
                  {k === "open" ? "open (OPEN SESAME)" : k}
                </option>
              ))}
            </select>
            <FieldErrors id="hf-kind-err" errors={errors.kind ?? []} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="hf-from">From</label>
          <DateTimeField id="hf-from" name="from" defaultValue={values.from} {...a("from")} />
          <FieldErrors id="hf-from-err" errors={errors.from ?? []} />
        </div>
        <div className="field">
          <label htmlFor="hf-to">To</label>
          <DateTimeField id="hf-to" name="to" defaultValue={values.to} {...a("to")} />
          <FieldErrors id="hf-to-err" errors={errors.to ?? []} />
        </div>
        <div className="field">
          <label htmlFor="hf-pageSize">Rows per page</label>
          <select id="hf-pageSize" name="pageSize" defaultValue={values.pageSize ?? "50"} {...a("pageSize")}>
            {["25", "50", "100", "250", "500"].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
          <FieldErrors id="hf-pageSize-err" errors={errors.pageSize ?? []} />
        </div>
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
