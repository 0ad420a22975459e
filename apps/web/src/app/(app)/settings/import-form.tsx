"use client";

import { useActionState, useState, type ChangeEvent } from "react";
import { FieldErrors } from "@/components/field";
import { IMPORT_IDLE } from "@/lib/import-state";
import { applyImportAction, previewImportAction } from "@/server/actions/settings";

/** Paste or upload a knockd.conf → preview added/changed/removed doors → apply. */
export function ImportForm() {
  const [text, setText] = useState("");
  const [mode, setMode] = useState<"merge" | "replace">("merge");
  const [preview, previewAction, previewing] = useActionState(previewImportAction, IMPORT_IDLE);
  const [applied, applyAction, applying] = useActionState(applyImportAction, IMPORT_IDLE);
  const [fileError, setFileError] = useState<string | null>(null);
  const [oneTimeFiles, setOneTimeFiles] = useState<Record<string, string>>({});
  const [oneTimeError, setOneTimeError] = useState<string | null>(null);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setFileError(null);
    if (!file) return;
    if (file.size > 256 * 1024) {
      setFileError("That file is larger than 256 KiB; a knockd.conf never is.");
      return;
    }
    setText(await file.text());
  };

  const onOneTimeFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    setOneTimeError(null);
    const big = files.find((f) => f.size > 256 * 1024);
    if (big) {
      setOneTimeError(`${big.name} is larger than 256 KiB; a sequence file never is.`);
      return;
    }
    const read: Record<string, string> = {};
    for (const f of files) read[f.name] = (await f.text()).replace(/\r\n?/g, "\n");
    setOneTimeFiles(read);
  };

  const textErrors = [...(preview.fieldErrors?.text ?? []), ...(fileError ? [fileError] : [])];
  const oneTimeErrors = [...(preview.fieldErrors?.oneTimeFiles ?? []), ...(oneTimeError ? [oneTimeError] : [])];
  const oneTimeJson = JSON.stringify(oneTimeFiles);
  const isCurrent =
    preview.status === "preview" && preview.text === text.replace(/\r\n?/g, "\n") && preview.mode === mode && JSON.stringify(preview.oneTimeFiles ?? {}) === oneTimeJson;
  const nothing = preview.status === "preview" && !preview.added?.length && !preview.changed?.length && !(mode === "replace" && preview.missing?.length) && !preview.interfaces;

  return (
    <div className="stack">
      <form action={previewAction} className="form" noValidate>
        <div className="field">
          <label htmlFor="import-file">knockd.conf file</label>
          <input id="import-file" type="file" accept=".conf,text/plain" onChange={onFile} />
        </div>
        <div className="field">
          <label htmlFor="import-text">…or paste it</label>
          <textarea
            id="import-text"
            name="text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={10}
            spellCheck={false}
            placeholder={"[options]\n    UseSyslog\n\n[openSSH]\n    sequence    = 7000,8000,9000\n    seq_timeout = 5\n    command     = /sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT"}
            aria-invalid={textErrors.length ? true : undefined}
            aria-describedby={textErrors.length ? "import-text-err" : undefined}
          />
          <FieldErrors id="import-text-err" errors={textErrors} />
        </div>
        <div className="field">
          <label htmlFor="import-onetime">One_Time_Sequences files (optional)</label>
          <input
            id="import-onetime"
            type="file"
            multiple
            accept=".txt,.conf,text/plain"
            onChange={onOneTimeFiles}
            aria-invalid={oneTimeErrors.length ? true : undefined}
            aria-describedby={oneTimeErrors.length ? "import-onetime-err" : "import-onetime-hint"}
          />
          <span id="import-onetime-hint" className="hint">
            For sections with <code>One_Time_Sequences = /path/file</code>: choose the files by the same name; their unused sequences are
            imported.
            {Object.keys(oneTimeFiles).length ? ` Chosen: ${Object.keys(oneTimeFiles).join(", ")}.` : ""}
          </span>
          <input type="hidden" name="oneTimeFiles" value={oneTimeJson} />
          <FieldErrors id="import-onetime-err" errors={oneTimeErrors} />
        </div>
        <fieldset>
          <legend>Doors that are not in the file</legend>
          <label className="check">
            <input type="radio" name="mode" value="merge" checked={mode === "merge"} onChange={() => setMode("merge")} />
            <span>Keep them (merge)</span>
          </label>
          <label className="check">
            <input type="radio" name="mode" value="replace" checked={mode === "replace"} onChange={() => setMode("replace")} />
            <span>Remove them (replace the whole configuration)</span>
          </label>
        </fieldset>
        <p className="notice info small">
          Sections with commands become <strong>command doors</strong>: their commands are shown for reference only and run only if the
          worker is started with the same file (<code>-c /etc/knockd.conf</code>). Sesame never runs commands from its database.
        </p>
        <div className="form-actions">
          <button className="btn" type="submit" disabled={previewing}>
            {previewing ? "Reading…" : "Preview changes"}
          </button>
        </div>
      </form>

      {preview.status === "preview" ? (
        <section className="card stack" aria-labelledby="h-import-preview" data-testid="import-preview" style={{ boxShadow: "none" }}>
          <h3 id="h-import-preview">What this import changes</h3>
          <ul className="diff-list">
            {preview.added?.map((a) => (
              <li key={`a-${a.name}`}>
                <span className="badge ok">added</span> <strong>{a.name}</strong> <code>{a.sequence || "(no sequence)"}</code>
                {a.oneTime !== undefined ? <span className="muted"> — one-time: {a.oneTime} unused sequence{a.oneTime === 1 ? "" : "s"}</span> : null}
              </li>
            ))}
            {preview.changed?.map((c) => (
              <li key={`c-${c.name}`}>
                <span className="badge warn">changed</span> <strong>{c.name}</strong> <span className="muted">— {c.changes.join(", ")}</span>
              </li>
            ))}
            {preview.missing?.map((m) => (
              <li key={`m-${m}`}>
                {mode === "replace" ? <span className="badge danger">removed</span> : <span className="badge">kept</span>} <strong>{m}</strong>{" "}
                <span className="muted">— not in the file</span>
              </li>
            ))}
            {preview.skipped?.map((k) => (
              <li key={`s-${k.name}`}>
                <span className="badge danger">skipped</span> <strong>{k.name}</strong> <span className="muted">— {k.reason}</span>
              </li>
            ))}
            {preview.unchanged?.map((u) => (
              <li key={`u-${u}`}>
                <span className="badge">unchanged</span> {u}
              </li>
            ))}
            {preview.interfaces ? (
              <li>
                <span className="badge warn">setting</span> interfaces: {preview.interfaces.from.join(", ") || "default"} → {preview.interfaces.to.join(", ")}
              </li>
            ) : null}
          </ul>
          {preview.warnings?.length ? (
            <div className="notice warn small">
              <strong>Warnings</strong>
              <ul>
                {preview.warnings.map((w, i) => (
                  <li key={i}>
                    line {w.line}: {w.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {!isCurrent ? <p className="notice warn small">The text or mode changed since this preview: preview again before applying.</p> : null}
          <form action={applyAction} className="form-actions">
            <input type="hidden" name="text" value={preview.text ?? ""} />
            <input type="hidden" name="mode" value={preview.mode ?? "merge"} />
            <input type="hidden" name="oneTimeFiles" value={JSON.stringify(preview.oneTimeFiles ?? {})} />
            <input type="hidden" name="configVersion" value={preview.configVersion ?? ""} />
            <button className="btn primary" type="submit" disabled={applying || !isCurrent || nothing}>
              {applying ? "Importing…" : nothing ? "Nothing to import" : "Apply import"}
            </button>
            {applied.status === "error" ? <FieldErrors errors={[applied.message ?? "Import failed."]} /> : null}
          </form>
        </section>
      ) : null}
      {preview.status === "error" && preview.message && !preview.fieldErrors ? <FieldErrors errors={[preview.message]} /> : null}
    </div>
  );
}
