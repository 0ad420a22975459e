"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import type { AccessImportState } from "@/lib/access-import-state";
import { afterConfigChange } from "../after-change";
import { applyAccessImport, DEFAULT_NAME_PREFIX, MAX_ACCESS_CONF_BYTES, planAccessImport, previewTag, readUserNames, toPreview, type Message } from "../access-import";
import { getClientAddress } from "../client-address";
import { applyChange } from "../config-write";
import { getDb } from "../db";
import { guardLockout, LockoutRiskError, lockoutRisk, snapshotLockout } from "../lockout";
import { readSetting } from "../settings";
import { requireSession } from "../session";

/**
 * Users → Import: an fwknopd access.conf, previewed, then applied. The file
 * comes in with each request (the browser keeps it; the preview it gets back
 * has no key material and no text) and is parsed on the server both times.
 */

type Input = { text: string; prefix: string } | { field: "text" | "prefix"; error: string };

const tooLarge = (what: string) => `That ${what} is larger than 256 KiB; an access.conf never is.`;

/** The form: the file (or pasted text) and the name prefix. */
const ImportFormSchema = z.object({
  text: z
    .string()
    .transform((t) => t.replace(/\r\n?/g, "\n"))
    .refine((t) => t.trim() !== "", { error: "Choose an access.conf file or paste it." })
    .refine((t) => Buffer.byteLength(t) <= MAX_ACCESS_CONF_BYTES, { error: tooLarge("text") }),
  prefix: z
    .string()
    .trim()
    .transform((p) => p || DEFAULT_NAME_PREFIX)
    .pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, { error: "Name prefix may only contain letters, digits, '.', '-' and '_' (1 to 40 characters)." })),
});

async function readInput(formData: FormData): Promise<Input> {
  const file = formData.get("file");
  const hasFile = file !== null && typeof file !== "string" && file.size > 0;
  if (hasFile && file.size > MAX_ACCESS_CONF_BYTES) return { field: "text", error: tooLarge("file") };
  const parsed = ImportFormSchema.safeParse({ text: hasFile ? await file.text() : String(formData.get("text") ?? ""), prefix: String(formData.get("prefix") ?? "") });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return { field: issue.path[0] === "prefix" ? "prefix" : "text", error: issue.message };
}

const FILE_ERRORS = "The file has errors; nothing is imported until they are fixed.";
const lineErrors = (errors: Message[]) => errors.map((e) => (e.line > 0 ? `line ${e.line}: ${e.message}` : e.message));

/** Parse an access.conf and show the users it would create (no keys). Saves nothing. */
export async function previewAccessImportAction(_prev: AccessImportState, formData: FormData): Promise<AccessImportState> {
  await requireSession();
  const input = await readInput(formData);
  if ("error" in input) return { status: "error", message: input.error, fieldErrors: { [input.field]: [input.error] }, nonce: Date.now() };
  const db = getDb();
  const now = Date.now();
  const plan = planAccessImport(input.text, { prefix: input.prefix, existingNames: readUserNames(db), now });
  const stanzas = plan.users.map(toPreview);
  if (!plan.ok) {
    return { status: "error", message: FILE_ERRORS, errors: plan.errors, warnings: plan.warnings, stanzas, prefix: input.prefix, nonce: now };
  }
  // The lock-out check as it will run on apply: these ports join the protected ones.
  const adminIp = await getClientAddress();
  const before = snapshotLockout(db, adminIp, now);
  const after = { ...before, protectedKeys: new Set([...before.protectedKeys, ...plan.users.flatMap((u) => u.ports.map((p) => `${p.port}/${p.protocol}`))]) };
  const risk = lockoutRisk(before, after);
  return {
    status: "preview",
    warnings: plan.warnings,
    stanzas,
    lockout: risk ? { message: new LockoutRiskError(adminIp, risk).message, ports: risk } : null,
    tag: previewTag(input.text, input.prefix),
    prefix: input.prefix,
    configVersion: readSetting(db, "configVersion"),
    nonce: now,
  };
}

class ImportAbort extends Error {}

/**
 * Create the previewed users and their SPA credentials in one audited
 * transaction; refused if the text or prefix differ from the preview's, if
 * the configuration changed meanwhile, or (until confirmed) if it would lock
 * the admin out.
 */
export async function applyAccessImportAction(_prev: AccessImportState, formData: FormData): Promise<AccessImportState> {
  const session = await requireSession();
  const input = await readInput(formData);
  if ("error" in input) return { status: "error", message: input.error, nonce: Date.now() };
  if (formData.get("tag") !== previewTag(input.text, input.prefix)) return { status: "error", message: "The file or the name prefix changed since the preview: preview again, then apply.", nonce: Date.now() };
  const expectedVersion = Number(formData.get("configVersion"));
  const confirmLockout = formData.get("confirmLockout") === "on";
  const adminIp = await getClientAddress();
  let names: string[] = [];
  try {
    applyChange(getDb(), session.actor, { bumpConfig: true }, (ctx) => {
      if (readSetting(ctx.tx, "configVersion") !== expectedVersion) throw new ImportAbort("The configuration changed since this preview. Preview again, then apply.");
      const now = Date.now();
      const plan = planAccessImport(input.text, { prefix: input.prefix, existingNames: readUserNames(ctx.tx), now });
      if (!plan.ok) throw new ImportAbort(`${FILE_ERRORS} ${lineErrors(plan.errors).join("; ")}`);
      names = guardLockout(ctx.tx, adminIp, now, confirmLockout, () => applyAccessImport(ctx, plan.users, now, Buffer.byteLength(input.text)).names);
    });
  } catch (err) {
    if (err instanceof ImportAbort) return { status: "error", message: err.message, nonce: Date.now() };
    if (err instanceof LockoutRiskError) return { status: "error", message: err.message, lockout: { message: err.message, ports: err.ports }, nonce: Date.now() };
    throw err;
  }
  afterConfigChange();
  redirect(`/users?saved=${encodeURIComponent(`access.conf import: ${names.length} user${names.length === 1 ? "" : "s"} with SPA keys (${names.join(", ")})`)}`);
}
