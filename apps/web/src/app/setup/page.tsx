import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth-card";
import { describeSetupTokenProblem, loadSecrets, readSetupTokenState } from "@/server/secrets";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set the admin password" };

/** Public, but useless without the one-time token printed in the server log. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  if (loadSecrets().admin) redirect("/login");
  const state = readSetupTokenState(token);
  return (
    <AuthCard>
      <h1>Set the admin password</h1>
      {state === "valid" ? (
        <SetupForm token={token} />
      ) : (
        <p className="notice danger" role="alert">
          {describeSetupTokenProblem(state)}
        </p>
      )}
    </AuthCard>
  );
}
