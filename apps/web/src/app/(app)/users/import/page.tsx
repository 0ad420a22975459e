import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";
import { PageHead } from "@/components/page-head";
import { requireSession } from "@/server/session";
import { AccessImportForm } from "./access-import-form";

export const metadata: Metadata = { title: "Import access.conf" };

/** Users → Import: an fwknopd access.conf becomes users with SPA keys, after a preview. */
export default async function UsersImportPage() {
  await requireSession();
  return (
    <>
      <PageHead
        title="Import access.conf"
        action={
          <Link className="btn" href="/users">
            Back
          </Link>
        }
      >
        Bring an fwknopd <code>access.conf</code> over: each stanza becomes a user with its SPA keys, sources, ports and timeouts, so the
        fwknop clients that already have those keys keep working. Preview first; nothing is saved until you apply, and nothing at all if the
        file has an error.
      </PageHead>
      <Card headingId="h-access-import" title="access.conf">
        <AccessImportForm />
      </Card>
    </>
  );
}
