"use client";

import { useState } from "react";

/**
 * Two-step delete: the first button asks, the second (in the same place,
 * focused) submits. No modal, works with the keyboard.
 */
export function ConfirmDelete(props: { action: (formData: FormData) => Promise<void>; id: number | string; what: string; label?: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn small danger" onClick={() => setAsking(true)} aria-label={`${props.label ?? "Delete"} ${props.what}`}>
        {props.label ?? "Delete"}
      </button>
    );
  }
  return (
    <form action={props.action} className="row" style={{ display: "inline-flex", justifyContent: "flex-end" }}>
      <input type="hidden" name="id" value={props.id} />
      <span className="small">{props.label ?? "Delete"} {props.what}?</span>
      <button type="submit" className="btn small danger" autoFocus>
        Yes
      </button>
      <button type="button" className="btn small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </form>
  );
}
