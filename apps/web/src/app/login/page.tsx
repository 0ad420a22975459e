import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { resolveSafeNext } from "@sesame/core";
import { AuthCard } from "@/components/auth-card";
import { getClientAddress } from "@/server/client-address";
import { getDb } from "@/server/db";
import { currentLock, lockMessage } from "@/server/login-throttle";
import { loadSecrets } from "@/server/secrets";
import { readValidSession } from "@/server/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Log in" };

/** Public: the one page (with /setup) reachable without a session. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const target = resolveSafeNext(next);
  if (await readValidSession()) redirect(target);
  const lock = currentLock(getDb(), await getClientAddress(), Date.now());
  const needsSetup = !loadSecrets().admin;
  return (
    <AuthCard>
      <h1 className="sr-only">Log in to Sesame</h1>
      {needsSetup ? (
        <p className="notice warn" role="alert">
          No admin password is set yet. Open the one-time setup link printed in the server log
          (or start the server with SESAME_ADMIN_PASSWORD).
        </p>
      ) : (
        <LoginForm next={target} initialLock={lock ? lockMessage(lock) : undefined} />
      )}
    </AuthCard>
  );
}

