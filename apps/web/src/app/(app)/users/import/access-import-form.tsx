"use client";

import { startTransition, useActionState, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { FieldErrors } from "@/components/field";
import { LocalTime } from "@/components/local-time";
import { ACCESS_IMPORT_IDLE, type AccessImportState } from "@/lib/access-import-state";
import { formatPorts } from "@/lib/format";
import { applyAccessImportAction, previewAccessImportAction } from "@/server/actions/users-import";

const MAX_BYTES = 256 * 1024;

/**
 * Upload (or paste) an access.conf → preview the users it creates → apply.
 * The chosen file stays in this component (never in the page's markup) and
 * is sent again to apply; what comes back has no key material.
 */
export function AccessImportForm() {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const prefixRef = useRef<HTMLInputElement>(null);
  const [preview, previewAction, previewing] = useActionState(previewAccessImportAction, ACCESS_IMPORT_IDLE);
  const [applied, applyAction, applying] = useActionState(applyAccessImportAction, ACCESS_IMPORT_IDLE);

  const collect = (): FormData => {
    const fd = new FormData();
    if (file) fd.set("file", file);
    else fd.set("text", textRef.current?.value ?? "");
    fd.set("prefix", prefixRef.current?.value ?? "");
    return fd;
  };
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0] ?? null;
    setChanged(true);
    setFileError(null);
    if (f && f.size > MAX_BYTES) {
      setFileError("That file is larger than 256 KiB; an access.conf never is.");
      setFile(null);
      return;
    }
    setFile(f);
  };
  const clearFile = () => {
    setFile(null);
    setChanged(true);
    if (fileRef.current) fileRef.current.value = "";
  };
  const onPreview = (e: FormEvent) => {
    e.preventDefault();
    const fd = collect();
    setChanged(false);
    setConfirm(false);
    startTransition(() => previewAction(fd));
  };
  const onApply = (e: FormEvent) => {
    e.preventDefault();
    const fd = collect();
    fd.set("tag", preview.tag ?? "");
    fd.set("configVersion", String(preview.configVersion ?? ""));
    if (confirm) fd.set("confirmLockout", "on");
    startTransition(() => applyAction(fd));
  };

  const textErrors = [...(preview.fieldErrors?.text ?? []), ...(fileError ? [fileError] : [])];
  const prefixErrors = preview.fieldErrors?.prefix ?? [];
  const lockout = preview.lockout ?? (applied.status === "error" ? applied.lockout : null);
  const shown = preview.stanzas?.length ? preview : null;
  const notes = [
    ...(preview.warnings ?? []).map((w) => ({ line: w.line, text: `line ${w.line}: ${w.message}` })),
    ...(preview.stanzas ?? []).flatMap((st) => st.notes.map((n) => ({ line: st.line, text: `line ${st.line}, stanza #${st.stanza} (${st.name}): ${n}` }))),
  ]
    .sort((a, b) => a.line - b.line)
    .map((n) => n.text);

  return (
    <div className="stack">
      <form onSubmit={onPreview} className="form" noValidate>
        <div className="field">
          <label htmlFor="access-file">access.conf file</label>
          <input id="access-file" ref={fileRef} type="file" accept=".conf,text/plain" onChange={onFile} />
          {file ? (
            <span className="hint">
              Using {file.name} ({file.size} bytes).{" "}
              <button type="button" className="btn small" onClick={clearFile}>
                Clear
              </button>
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="access-text">…or paste it</label>
          <textarea
            id="access-text"
            ref={textRef}
            rows={8}
            spellCheck={false}
            disabled={!!file}
            onChange={() => setChanged(true)}
            placeholder={file ? `Using the file ${file.name}` : "SOURCE            ANY\nOPEN_PORTS        tcp/22\nKEY_BASE64        …\nHMAC_KEY_BASE64   …"}
            aria-invalid={textErrors.length ? true : undefined}
            aria-describedby={textErrors.length ? "access-text-err" : undefined}
          />
          <FieldErrors id="access-text-err" errors={textErrors} />
        </div>
        <div className="field">
          <label htmlFor="access-prefix">Name prefix</label>
          <input
            id="access-prefix"
            ref={prefixRef}
            defaultValue="stanza"
            autoComplete="off"
            spellCheck={false}
            onChange={() => setChanged(true)}
            aria-invalid={prefixErrors.length ? true : undefined}
            aria-describedby={prefixErrors.length ? "access-prefix-err" : "access-prefix-hint"}
          />
          <span id="access-prefix-hint" className="hint">
            access.conf stanzas have no names (fwknopd logs them as &quot;stanza #N&quot;): stanza N becomes the user <code>prefix-N</code>.
          </span>
          <FieldErrors id="access-prefix-err" errors={prefixErrors} />
        </div>
        <div className="form-actions">
          <button className="btn" type="submit" disabled={previewing}>
            {previewing ? "Reading…" : "Preview import"}
          </button>
        </div>
      </form>

      {shown ? <PreviewTable state={shown} /> : null}
      {notes.length ? (
        <div className="notice warn small" data-testid="access-import-warnings">
          <strong>Carried over differently, or not at all</strong>
          <ul>
            {notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {preview.status === "error" && preview.errors?.length ? (
        <div className="notice danger small" role="alert" data-testid="access-import-errors">
          <strong>{preview.message}</strong>
          <ul>
            {preview.errors.map((e, i) => (
              <li key={i}>{e.line > 0 ? `line ${e.line}: ${e.message}` : e.message}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {preview.status === "preview" ? (
        <form onSubmit={onApply} className="stack">
          {lockout ? (
            <div className="notice warn small" role="note">
              <FieldErrors id="e-confirmLockout" errors={[lockout.message]} />
              <label className="check">
                <input type="checkbox" name="confirmLockout" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
                <span>I understand; protect these ports anyway.</span>
              </label>
            </div>
          ) : null}
          {changed ? <p className="notice warn small">The file, the text or the prefix changed since this preview: preview again before applying.</p> : null}
          <div className="form-actions">
            <button className="btn primary" type="submit" disabled={applying || changed}>
              {applying ? "Importing…" : `Import ${preview.stanzas?.length ?? 0} user${preview.stanzas?.length === 1 ? "" : "s"}`}
            </button>
            {applied.status === "error" && (applied.nonce ?? 0) > (preview.nonce ?? 0) ? <FieldErrors errors={[applied.lockout ? "Nothing was imported: tick the lock-out box first." : (applied.message ?? "Import failed.")]} /> : null}
          </div>
        </form>
      ) : null}
    </div>
  );
}

function PreviewTable({ state }: { state: AccessImportState }) {
  return (
    <section className="card stack" aria-labelledby="h-access-preview" data-testid="access-import-preview" style={{ boxShadow: "none" }}>
      <h3 id="h-access-preview">Users this import creates</h3>
      <div className="table-wrap">
        <table className="cards">
          <thead>
            <tr>
              {["Stanza", "User", "Sources", "Ports", "Grant / longest", "Source address", "Expires", "HMAC", "Keys"].map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {state.stanzas?.map((s) => (
              <tr key={s.stanza} data-testid={`access-stanza-${s.stanza}`}>
                <td data-label="Stanza">
                  #{s.stanza} <span className="small muted">line {s.line}</span>
                </td>
                <td data-label="User">
                  <strong>{s.name}</strong>
                </td>
                <td className="mono" data-label="Sources">{s.sources.length ? s.sources.join(", ") : <span className="muted">anywhere</span>}</td>
                <td className="mono" data-label="Ports">{s.ports.length ? formatPorts(s.ports) : <span className="muted">none</span>}</td>
                <td data-label="Grant / longest">
                  {s.grantSec} s / {s.maxGrantSec} s
                </td>
                <td data-label="Source address">{s.requireSourceAddress ? "required" : <span className="muted">not required</span>}</td>
                <td data-label="Expires">{s.expiresAt ? <LocalTime ts={s.expiresAt} /> : <span className="muted">never</span>}</td>
                <td data-label="HMAC">{s.hasHmacKey ? s.hmacDigest : <span className="badge warn">none (legacy)</span>}</td>
                <td data-label="Keys">
                  <span className="badge accent">imported</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">Keys are read on the server and stored as each user&apos;s SPA credential; they are never shown here.</p>
    </section>
  );
}
