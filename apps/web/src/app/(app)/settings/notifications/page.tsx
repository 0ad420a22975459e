import type { Metadata } from "next";
import { AutoRefresh } from "@/components/auto-refresh";
import { Card } from "@/components/card";
import { PageHead } from "@/components/page-head";
import { getDb } from "@/server/db";
import { findChannelViews } from "@/server/notify/channels";
import { requireSession } from "@/server/session";
import { ChannelCard } from "./channel-card";
import { ChannelForm } from "./channel-form";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  await requireSession();
  const { saved } = await searchParams;
  const channels = findChannelViews(getDb());
  return (
    <>
      <PageHead title="Notifications">
        Tell a chat, a phone or a mailbox when a port opens, an address is banned, an admin unbans or revokes, the worker stops, or
        logins get locked. Sent by the web server, never on the packet path; retried with back-off.
      </PageHead>
      <AutoRefresh everyMs={5000} />
      <div className="stack">
        {saved ? (
          <p className="notice ok" role="status">
            Saved <strong>{saved}</strong>. New events go to it from now on; use Send test to check it.
          </p>
        ) : null}
        {channels.length === 0 ? <p className="notice info">No channels yet. Add one below: an ntfy topic URL is enough to start.</p> : null}
        {channels.map((ch) => (
          <ChannelCard key={ch.id} ch={ch} />
        ))}
        <Card headingId="h-add" title="Add a channel">
          <ChannelForm />
        </Card>
      </div>
    </>
  );
}
