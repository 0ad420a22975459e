import { doorRowToDoor } from "@sesame/core";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DoorEditor } from "@/components/door-editor/door-editor";
import { doorToDraft } from "@/components/door-editor/draft";
import { DoorToggle } from "@/components/door-toggle";
import { PageHead } from "@/components/page-head";
import { formatSteps } from "@/lib/format";
import { knockCommandFor } from "@sesame/core";
import { loadEditorContext } from "@/server/queries/editor-context";
import { requireSession } from "@/server/session";

export const metadata: Metadata = { title: "Edit sequence" };

export default async function EditSequencePage({ params }: { params: Promise<{ id: string }> }) {
  await requireSession();
  const { id: idText } = await params;
  const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
  const ctx = await loadEditorContext(id);
  const row = ctx.rows.find((r) => r.id === id);
  if (!row) notFound();
  const door = doorRowToDoor(row);
  const back = row.action === "ban" ? "/decoys" : "/sequences";

  if (row.action === "command") {
    return (
      <>
        <PageHead
          title={row.name}
          action={
            <Link className="btn" href={back}>
              Back
            </Link>
          }
        >
          Imported from knockd.conf with shell commands.
        </PageHead>
        <div className="stack">
          <p className="notice info">
            The commands below are shown for reference only. Sesame never runs commands stored in its database: they run only if the
            worker is started with the same knockd.conf (<code>-c /etc/knockd.conf</code>), and only from that root-owned file.
          </p>
          <section className="card stack">
            <div className="row">
              <span className="muted">Knocks:</span> <code>{formatSteps(row.sequence)}</code>
              <span className="spacer" />
              <DoorToggle id={row.id} name={row.name} enabled={row.enabled} />
            </div>
            <pre className="code wrap">{`[${row.commandSection ?? row.name}]\n${row.commandPreview ?? ""}`}</pre>
            {row.sequence.length ? <pre className="code wrap">{knockCommandFor({ ...door, enabled: true }, ctx.host)}</pre> : null}
          </section>
        </div>
      </>
    );
  }

  return (
    <>
      <PageHead title={<>Edit {row.name}</>}>
        Changes apply as soon as you save; knocks in progress for an unchanged sequence carry on.
      </PageHead>
      <DoorEditor
        initial={doorToDraft(door, row.id)}
        otherDoors={ctx.otherDoors}
        host={ctx.host}
        adminIp={ctx.adminIp}
        adminTrusted={ctx.adminTrusted}
        cancelHref={back}
      />
    </>
  );
}
