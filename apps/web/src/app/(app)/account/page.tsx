import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { loadSecrets } from "@/server/secrets";
import { requireSession } from "@/server/session";
import { PasswordForm } from "./password-form";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const session = await requireSession();
  const changedAt = loadSecrets().admin?.changedAt;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Account</h1>
          <p>
            Signed in as <strong>{session.user}</strong> until <LocalTime ts={session.expiresAt} />.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="h-password" style={{ maxWidth: "36rem" }}>
        <h2 id="h-password">Change password</h2>
        {changedAt ? (
          <p className="muted small">
            Last changed <LocalTime ts={changedAt} />. Changing it signs out every other session.
          </p>
        ) : null}
        <PasswordForm />
      </section>
    </>
  );
}
