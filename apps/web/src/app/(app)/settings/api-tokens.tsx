"use client";

import { useActionState } from "react";
import { FieldErrors } from "@/components/field";
import { LocalTime } from "@/components/local-time";
import { createApiTokenAction, revokeApiTokenAction, type ApiTokenFormState } from "@/server/actions/api-tokens";
import { ShownOnce } from "@/components/shown-once";

const IDLE: ApiTokenFormState = { status: "idle" };

export interface ApiTokenView {
  id: number;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const SCOPE_HINTS: Record<string, string> = {
  read: "list grants, trusted networks, bans, forwards, doors",
  grants: "list grants",
  trusted: "add/remove expiring trusted networks",
  bans: "ban addresses",
  doors: "list, create, switch, edit and delete doors (sequences and decoys)",
};

/** The automation API's tokens: create (shown once), see state and last use, revoke. */
export function ApiTokens({ tokens, now }: { tokens: ApiTokenView[]; now: number }) {
  const [state, createAction, creating] = useActionState(createApiTokenAction, IDLE);
  return (
    <div className="stack">
      {state.token ? (
        <ShownOnce message={state.message} secret={state.token} testId="api-token" />
      ) : state.status === "error" && state.message ? (
        <p className="notice warn" role="alert">
          {state.message}
        </p>
      ) : null}
      <form action={createAction} className="form" noValidate key={state.nonce ?? 0}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="api-token-name">Token name</label>
            <input id="api-token-name" name="name" placeholder="ci-runner" autoComplete="off" />
            <FieldErrors errors={state.fieldErrors?.name ?? []} />
          </div>
          <div className="field">
            <label htmlFor="api-token-days">Expires after (days, optional)</label>
            <input id="api-token-days" name="expiresInDays" type="number" min={1} max={365} />
            <FieldErrors errors={state.fieldErrors?.expiresInDays ?? []} />
          </div>
        </div>
        <fieldset className="field">
          <legend>Scopes</legend>
          {Object.entries(SCOPE_HINTS).map(([scope, hint]) => (
            <label key={scope} className="check">
              <input type="checkbox" name="scopes" value={scope} />
              <span>
                <code>{scope}</code> — {hint}
              </span>
            </label>
          ))}
          <FieldErrors errors={state.fieldErrors?.scopes ?? []} />
        </fieldset>
        <div className="form-actions">
          <button className="btn primary" type="submit" disabled={creating}>
            Create API token
          </button>
        </div>
      </form>
      {tokens.length ? (
        <table className="table" data-testid="api-tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Token</th>
              <th>Created</th>
              <th>Last used</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid={`api-token-${t.name}`}>
                <td>{t.name}</td>
                <td className="mono">{t.scopes.join(", ")}</td>
                <td className="mono">{t.prefix}…</td>
                <td>
                  <LocalTime ts={t.createdAt} /> <span className="muted small">{t.createdBy}</span>
                </td>
                <td>{t.lastUsedAt ? <LocalTime ts={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
                <td>
                  {t.revokedAt ? (
                    <span className="badge">revoked</span>
                  ) : t.expiresAt !== null && t.expiresAt <= now ? (
                    <span className="badge">expired</span>
                  ) : (
                    <span className="badge ok">active{t.expiresAt ? <> until <LocalTime ts={t.expiresAt} /></> : null}</span>
                  )}
                </td>
                <td className="actions">{t.revokedAt ? null : <RevokeToken id={t.id} name={t.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No API tokens yet.</p>
      )}
    </div>
  );
}

function RevokeToken({ id, name }: { id: number; name: string }) {
  const [state, action, pending] = useActionState(revokeApiTokenAction, IDLE);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <button className="btn small danger" type="submit" disabled={pending} aria-label={`Revoke ${name}`}>
        Revoke
      </button>
      {state.status === "error" && state.message ? <FieldErrors errors={[state.message]} /> : null}
    </form>
  );
}
