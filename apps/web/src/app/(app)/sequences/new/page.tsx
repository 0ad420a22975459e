import type { Metadata } from "next";
import { DoorEditor } from "@/components/door-editor/door-editor";
import { doorToDraft } from "@/components/door-editor/draft";
import { PageHead } from "@/components/page-head";
import { loadEditorContext } from "@/server/queries/editor-context";
import { requireSession } from "@/server/session";

export const metadata: Metadata = { title: "New sequence" };

export default async function NewSequencePage({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  await requireSession();
  const { kind } = await searchParams;
  const actionKind = kind === "ban" || kind === "close" ? kind : "open";
  const ctx = await loadEditorContext(null);
  return (
    <>
      <PageHead title={actionKind === "ban" ? "New decoy sequence" : "New sequence"}>
        {actionKind === "ban" ? "Whoever knocks a decoy is banned from all protected ports (never a trusted network)." : "Define the knocks and what they open."}
      </PageHead>
      <DoorEditor
        initial={doorToDraft(null, null, actionKind)}
        otherDoors={ctx.otherDoors}
        host={ctx.host}
        adminIp={ctx.adminIp}
        adminTrusted={ctx.adminTrusted}
        cancelHref={actionKind === "ban" ? "/decoys" : "/sequences"}
      />
    </>
  );
}
