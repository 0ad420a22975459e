"use client";

import { useState } from "react";
import { toDateTimeLocal } from "@/lib/format";

/**
 * <input type="datetime-local"> shows the browser's local time; the server
 * must not guess the zone, so a hidden field carries the instant as ISO UTC.
 */
export function DateTimeField(props: {
  name: string;
  id: string;
  /** ISO string or ms, as previously submitted/stored. */
  defaultValue?: string | number | null;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}) {
  const initial = props.defaultValue == null || props.defaultValue === "" ? null : new Date(props.defaultValue);
  const [local, setLocal] = useState(initial && !Number.isNaN(initial.getTime()) ? toDateTimeLocal(initial.getTime()) : "");
  const parsed = local ? new Date(local) : null;
  const iso = parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : local;
  return (
    <>
      <input
        id={props.id}
        type="datetime-local"
        value={local}
        onChange={(e) => setLocal(e.target.value)}
        aria-invalid={props["aria-invalid"]}
        aria-describedby={props["aria-describedby"]}
      />
      <input type="hidden" name={props.name} value={iso} />
    </>
  );
}
