import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth-card";
import { isSetupTokenValid, loadSecrets } from "@/server/secrets";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set the admin password" };

/** Public, but useless without the one-time token printed in the server log. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  if (loadSecrets().admin) redirect("/login");
  const valid = isSetupTokenValid(token);
  return (
    <AuthCard>
      <h1>Set the admin password</h1>
      {valid ? (
        <SetupForm token={token} />
      ) : (
        <p className="notice danger" role="alert">
          This setup link is invalid or was already used. Restart the web server to print a new one.
        </p>
      )}
    </AuthCard>
  );
}
