"use client";

import { useState } from "react";
import { ConfirmDelete } from "@/components/confirm-delete";
import { deleteUserAction, expireUserAction, revokeUserAction } from "@/server/actions/users";

/** Expire now, revoke (disable + every credential, optionally the open grants), delete. */
export function UserActions({ id, name }: { id: number; name: string }) {
  const [asking, setAsking] = useState(false);
  return (
    <div className="row" style={{ flexWrap: "wrap" }}>
      <form action={expireUserAction}>
        <input type="hidden" name="id" value={id} />
        <button type="submit" className="btn small">
          Expire now
        </button>
      </form>
      {asking ? (
        <form action={revokeUserAction} className="row">
          <input type="hidden" name="id" value={id} />
          <label className="check small">
            <input type="checkbox" name="closeGrants" defaultChecked />
            <span>also close {name}&apos;s open grants</span>
          </label>
          <button type="submit" className="btn small danger" autoFocus>
            Revoke {name}
          </button>
          <button type="button" className="btn small" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className="btn small danger" onClick={() => setAsking(true)}>
          Revoke user
        </button>
      )}
      <ConfirmDelete action={deleteUserAction} id={id} what={name} />
    </div>
  );
}
