import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { PageHead } from "@/components/page-head";
import { loadSecrets } from "@/server/secrets";
import { requireSession } from "@/server/session";
import { PasswordForm } from "./password-form";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const session = await requireSession();
  const changedAt = loadSecrets().admin?.changedAt;
  return (
    <>
      <PageHead title="Account">
        Signed in as <strong>{session.user}</strong> until <LocalTime ts={session.expiresAt} />.
      </PageHead>
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
