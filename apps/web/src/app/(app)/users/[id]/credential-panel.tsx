"use client";

import { useActionState } from "react";
import { CREDENTIAL_IDLE } from "@/lib/credential-state";
import { generateCredentialAction } from "@/server/actions/users";

/**
 * Generate (or rotate) a credential. The material is in the action's answer
 * and lives only in this component's state: a reload of the page shows it
 * no more.
 */
export function CredentialPanel({ userId, hasActive }: { userId: number; hasActive: { totp: boolean; spa: boolean } }) {
  const [state, formAction, pending] = useActionState(generateCredentialAction, CREDENTIAL_IDLE);
  const m = state.material;
  return (
    <div className="stack">
      <form action={formAction} className="inline-form">
        <input type="hidden" name="userId" value={userId} />
        <div className="field">
          <label htmlFor="cred-kind">Credential</label>
          <select id="cred-kind" name="kind" defaultValue="totp">
            <option value="totp">TOTP secret (rotating knock sequence){hasActive.totp ? ": rotate" : ""}</option>
            <option value="spa">SPA keys (fwknop){hasActive.spa ? ": rotate" : ""}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="cred-grace">Old one keeps working for (minutes)</label>
          <input id="cred-grace" name="graceMinutes" type="number" min={0} max={10080} defaultValue={60} />
        </div>
        <button className="btn primary" type="submit" disabled={pending}>
          Generate
        </button>
      </form>
      {state.status === "error" ? (
        <p className="notice danger" role="alert">
          {state.message}
        </p>
      ) : null}
      {m ? (
        <div className="stack" data-testid="credential-once">
          <p className="notice warn" role="status">
            {state.message}
          </p>
          {m.kind === "totp" ? (
            <div className="row" style={{ alignItems: "flex-start", flexWrap: "wrap", gap: "1.5rem" }}>
              <div data-testid="totp-qr" style={{ width: 220, background: "#fff", padding: 4 }} dangerouslySetInnerHTML={{ __html: m.qrSvg }} />
              <div className="stack" style={{ flex: 1, minWidth: 260 }}>
                <div>
                  <div className="small muted">Secret (base32), for an app that cannot scan</div>
                  <code data-testid="totp-secret" className="mono">{m.secret}</code>
                </div>
                <div>
                  <div className="small muted">Enrollment URI</div>
                  <code className="mono wrap">{m.uri}</code>
                </div>
                <div>
                  <div className="small muted">Then, with the code the app shows</div>
                  <pre className="code wrap" data-testid="totp-command">{m.command}</pre>
                  <div className="small muted">or any knock client, with the formula in the README (&quot;Rotating knock sequences&quot;).</div>
                </div>
              </div>
            </div>
          ) : (
            <div className="stack">
              <div className="small muted">Add to the user&apos;s ~/.fwknoprc</div>
              <pre className="code wrap" data-testid="spa-fwknoprc">{m.fwknoprc}</pre>
              <div className="small muted">then open with</div>
              <pre className="code" data-testid="spa-command">{m.command}</pre>
            </div>
          )}
        </div>
      ) : null}
    </div>
  );
}
