import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks } from "@/components/nav-links";
import { ConfigStatus } from "@/components/config-status";
import { logoutAction } from "@/server/actions/auth";
import { getDb } from "@/server/db";
import { getWorkerHealth } from "@/server/queries/worker-status";
import { requireSession } from "@/server/session";

/** The signed-in shell. Each page below still calls requireSession() itself. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  await requireSession();
  const at = Date.now();
  const health = getWorkerHealth(getDb(), at);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href="/" className="brand">
            <img src="/sesame.svg" alt="" />
            <span>Sesame</span>
          </Link>
          <NavLinks />
          <div className="topbar-right">
            <ConfigStatus initial={health} at={at} />
            <Link href="/account" className="btn small">
              Account
            </Link>
            <form action={logoutAction}>
              <button className="btn small" type="submit">
                Log out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
