"use server";

import { formatSequence, makeSettingsInputSchema } from "@sesame/core";
import { doors, eq } from "@sesame/db";
import { z } from "zod";
import { redirect } from "next/navigation";
import { errorState, formValues, issuesToFieldErrors, okState, type FormState } from "@/lib/form-state";
import type { ImportState } from "@/lib/import-state";
import { afterConfigChange } from "../after-change";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { planImport, type ImportMode } from "../knockd-import";
import { findDoors } from "../queries/doors";
import { readAllSettings, readAttemptCapLimit, readSetting, writeSetting } from "../settings";
import { requireSession } from "../session";

const MAX_IMPORT_BYTES = 256 * 1024;

/** A form field as a number when it is one (the schema then names what is wrong with it). */
function wholeOrText(v: FormDataEntryValue | null): unknown {
  return typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
}
const MAX_ONE_TIME_FILES = 16;

export async function saveSettingsAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const session = await requireSession();
  const values = formValues(formData);
  const ifaceText = String(formData.get("interfaces") ?? "");
  const parsed = makeSettingsInputSchema({ attemptCapLimit: readAttemptCapLimit().limit }).safeParse({
    interfaces: ifaceText.split(/[\s,]+/).filter(Boolean),
    backend: formData.get("backend"),
    retentionDays: formData.get("retentionDays"),
    maxAttempts: formData.get("maxAttempts"),
    syslog: formData.get("syslog") === "on",
    // A form without these fields (an older page) leaves the stored ones as they are.
    totp: formData.has("totp.portLow")
      ? {
          portLow: wholeOrText(formData.get("totp.portLow")),
          portHigh: wholeOrText(formData.get("totp.portHigh")),
          length: wholeOrText(formData.get("totp.length")),
          protocols: formData.get("totp.protocols"),
        }
      : readSetting(getDb(), "totp"),
  });
  if (!parsed.success) {
    const errs = issuesToFieldErrors(parsed.error.issues);
    // Messages about one listed interface belong to the interfaces field.
    for (const k of Object.keys(errs)) {
      if (k.startsWith("interfaces.")) {
        (errs.interfaces ??= []).push(...errs[k]!);
        delete errs[k];
      }
    }
    return errorState(errs, values);
  }
  const next = parsed.data;
  let changed = 0;
  applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
    const before = readAllSettings(tx);
    for (const key of ["interfaces", "backend", "retentionDays", "maxAttempts", "syslog", "totp"] as const) {
      if (JSON.stringify(before[key]) === JSON.stringify(next[key])) continue;
      writeSetting(tx, key, next[key] as never);
      record({ action: "update", entity: "setting", entityId: key, before: before[key], after: next[key] });
      changed++;
    }
  });
  afterConfigChange();
  return okState(changed ? "Settings saved. The worker picks them up within a second." : "Nothing changed.");
}

/** Uploaded One_Time_Sequences files: a few, named like files, each under the knockd.conf limit. */
const OneTimeFilesSchema = z
  .record(
    z.string().min(1).max(255).regex(/^[^\0]+$/),
    z.string().refine((t) => new TextEncoder().encode(t).length <= MAX_IMPORT_BYTES, "larger than 256 KiB"),
  )
  .refine((files) => Object.keys(files).length <= MAX_ONE_TIME_FILES, `at most ${MAX_ONE_TIME_FILES} files`);

function importInput(formData: FormData): { text: string; mode: ImportMode; oneTimeFiles: Record<string, string> } | { error: string; field: "text" | "oneTimeFiles" } {
  // Browsers submit textarea line breaks as CRLF; knockd.conf files use LF.
  const text = String(formData.get("text") ?? "").replace(/\r\n?/g, "\n");
  const mode: ImportMode = formData.get("mode") === "replace" ? "replace" : "merge";
  if (!text.trim()) return { error: "Paste a knockd.conf or choose the file.", field: "text" };
  if (new TextEncoder().encode(text).length > MAX_IMPORT_BYTES) return { error: "That file is larger than 256 KiB; a knockd.conf never is.", field: "text" };
  let files: unknown = {};
  try {
    files = JSON.parse(String(formData.get("oneTimeFiles") ?? "{}"));
  } catch {
    return { error: "The one-time sequence files could not be read: choose them again.", field: "oneTimeFiles" };
  }
  const parsed = OneTimeFilesSchema.safeParse(files);
  if (!parsed.success) return { error: `One-time sequence files: ${parsed.error.issues[0]?.message ?? "invalid"}.`, field: "oneTimeFiles" };
  const oneTimeFiles: Record<string, string> = {};
  for (const [name, content] of Object.entries(parsed.data)) oneTimeFiles[name] = content.replace(/\r\n?/g, "\n");
  return { text, mode, oneTimeFiles };
}

/** Parse a knockd.conf and show what importing it would change. Saves nothing. */
export async function previewImportAction(_prev: ImportState, formData: FormData): Promise<ImportState> {
  await requireSession();
  const input = importInput(formData);
  if ("error" in input) return { status: "error", message: input.error, fieldErrors: { [input.field]: [input.error] } };
  const db = getDb();
  const result = planImport(input.text, findDoors(db), readSetting(db, "interfaces"), input.oneTimeFiles);
  if (!result.ok) {
    return {
      status: "error",
      message: "The file has errors; nothing can be imported until they are fixed.",
      errors: result.errors,
      fieldErrors: { text: result.errors.map((e) => `line ${e.line}: ${e.message}`) },
      text: input.text,
      mode: input.mode,
    };
  }
  const p = result.plan;
  return {
    status: "preview",
    warnings: p.warnings,
    added: p.added.map((r) => ({ name: r.name, sequence: formatSequence(r.sequence), ...(r.oneTimeSequences ? { oneTime: r.oneTimeSequences.length } : {}) })),
    changed: p.changed.map((c) => ({ name: c.row.name, changes: c.changes })),
    unchanged: p.unchanged,
    skipped: p.skipped,
    missing: p.missing.map((m) => m.name),
    interfaces: p.interfaces,
    text: input.text,
    mode: input.mode,
    oneTimeFiles: input.oneTimeFiles,
    configVersion: readSetting(db, "configVersion"),
  };
}

/** Apply a previewed import in one transaction (refused if the config changed since the preview). */
export async function applyImportAction(_prev: ImportState, formData: FormData): Promise<ImportState> {
  const session = await requireSession();
  const input = importInput(formData);
  if ("error" in input) return { status: "error", message: input.error };
  const expectedVersion = Number(formData.get("configVersion"));
  let summary = "";
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, ({ tx, record }) => {
      if (readSetting(tx, "configVersion") !== expectedVersion) throw new ImportAbort("stale");
      const result = planImport(input.text, findDoors(tx), readSetting(tx, "interfaces"), input.oneTimeFiles);
      if (!result.ok) throw new ImportAbort("invalid");
      const p = result.plan;
      const now = Date.now();
      for (const row of p.added) {
        const created = tx.insert(doors).values({ ...row, createdAt: now, updatedAt: now }).returning().get();
        record({ action: "import", entity: "door", entityId: created.id, after: created });
      }
      for (const c of p.changed) {
        const updated = tx
          .update(doors)
          .set({ ...c.row, enabled: c.old.enabled, createdAt: c.old.createdAt, updatedAt: now })
          .where(eq(doors.id, c.old.id))
          .returning()
          .get();
        record({ action: "import", entity: "door", entityId: c.old.id, before: c.old, after: updated });
      }
      if (input.mode === "replace") {
        for (const m of p.missing) {
          tx.delete(doors).where(eq(doors.id, m.id)).run();
          record({ action: "delete", entity: "door", entityId: m.id, before: m, after: { reason: "not in the imported knockd.conf" } });
        }
      }
      if (p.interfaces) {
        writeSetting(tx, "interfaces", p.interfaces.to);
        record({ action: "update", entity: "setting", entityId: "interfaces", before: p.interfaces.from, after: p.interfaces.to });
      }
      summary = `${p.added.length} added, ${p.changed.length} changed${input.mode === "replace" ? `, ${p.missing.length} removed` : ""}`;
      record({ action: "import", entity: "knockd.conf", after: { mode: input.mode, summary, bytes: input.text.length } });
    });
  } catch (err) {
    if (err instanceof ImportAbort) {
      return {
        status: "error",
        message:
          err.reason === "stale"
            ? "The configuration changed since this preview. Preview again, then apply."
            : "The file no longer parses; preview it again.",
      };
    }
    throw err;
  }
  afterConfigChange();
  redirect(`/sequences?saved=${encodeURIComponent(`knockd.conf import (${summary})`)}`);
}

class ImportAbort extends Error {
  constructor(readonly reason: "stale" | "invalid") {
    super(reason);
  }
}
