import "server-only";
import { createHmac, randomBytes } from "node:crypto";
import { MAX_GRANT_SEC, UserNameSchema, type Step } from "@sesame/core";
import { DEFAULT_FW_ACCESS_TIMEOUT, parseAccessConf, type AccessStanza, type SpaDigest } from "@sesame/core/spa";
import { userCredentials, users } from "@sesame/db";
import type { AccessImportStanza } from "../lib/access-import-state";
import type { ChangeContext } from "./config-write";
import type { Reader } from "./settings";

/**
 * What importing an fwknopd access.conf would create: one Sesame user with
 * one SPA credential per stanza, named `<prefix>-<N>` (access.conf stanzas
 * have no names; fwknopd logs them as "stanza #N"). Everything is decided
 * here, on the server, from the text itself: the preview the browser gets
 * (toPreview) has no key material, and applying parses the same text again.
 * Any error (a bad line, a stanza Sesame cannot express, a name already
 * taken) means nothing is imported.
 */

export const MAX_ACCESS_CONF_BYTES = 256 * 1024;
export const DEFAULT_NAME_PREFIX = "stanza";

export interface PlannedUser extends AccessImportStanza {
  key: Uint8Array;
  /** null: a legacy stanza without HMAC (accepted without one, as fwknopd does). */
  hmacKey: Uint8Array | null;
  hmacDigest: SpaDigest;
}

export type Message = { line: number; message: string };

export type AccessPlanResult =
  | { ok: true; users: PlannedUser[]; warnings: Message[] }
  | { ok: false; errors: Message[]; warnings: Message[]; users: PlannedUser[] };

/** Ports a Sesame user may open, from OPEN_PORTS less RESTRICT_PORTS (the same set fwknopd allows). */
function portsOf(s: AccessStanza): Step[] {
  const restricted = new Set(s.restrictPorts.map((p) => `${p.protocol}/${p.port}`));
  const seen = new Set<string>();
  return (s.openPorts ?? []).filter((p) => {
    const k = `${p.protocol}/${p.port}`;
    if (restricted.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function planStanza(s: AccessStanza, n: number, name: string, now: number, errors: Message[]): PlannedUser {
  const notes: string[] = [];
  const err = (message: string) => errors.push({ line: s.line, message: `stanza #${n} (${name}): ${message}` });
  const ports = portsOf(s);
  if (s.openPorts === null) err("OPEN_PORTS is not set. fwknopd then opens any port the client asks for; a Sesame user opens listed ports only: add OPEN_PORTS.");
  else if (ports.length === 0) err("RESTRICT_PORTS takes away every port of OPEN_PORTS: nothing is left to open.");
  else if (ports.length > 16) err(`OPEN_PORTS lists ${ports.length} ports; a user opens at most 16.`);
  if (s.restrictPorts.length > 0) notes.push(`RESTRICT_PORTS ${s.restrictPorts.map((p) => `${p.protocol}/${p.port}`).join(", ")}: left out of the user's ports`);
  if (s.sources.length > 64) err(`SOURCE lists ${s.sources.length} networks; a user has at most 64.`);
  const maxGrantSec = Math.min(MAX_GRANT_SEC, s.maxFwTimeout);
  if (s.maxFwTimeout > MAX_GRANT_SEC) notes.push(`MAX_FW_TIMEOUT ${s.maxFwTimeout} s: Sesame grants at most ${MAX_GRANT_SEC} s (one day)`);
  const wanted = s.fwAccessTimeout ?? DEFAULT_FW_ACCESS_TIMEOUT;
  const grantSec = Math.min(wanted, maxGrantSec);
  if (grantSec < wanted) notes.push(`FW_ACCESS_TIMEOUT ${wanted} s is longer than the longest grant: ${grantSec} s`);
  // Never import a stanza less restricted than fwknopd ran it.
  if (s.requireUsername !== undefined) err(`REQUIRE_USERNAME ${s.requireUsername}: a Sesame user's packets are not checked for a username, so importing would let any username in. Remove the line to import this stanza without it.`);
  if (s.accessExpire !== null && s.accessExpire <= now) notes.push("ACCESS_EXPIRE is in the past: the user is imported expired and opens nothing");
  if (!s.hmacKey) notes.push("no HMAC key: a legacy credential, its packets are accepted without an HMAC");
  return {
    stanza: n, line: s.line, name, sources: s.sources, ports, grantSec, maxGrantSec, requireSourceAddress: s.requireSourceAddress, expiresAt: s.accessExpire,
    hmacDigest: s.hmacDigest, hasHmacKey: s.hmacKey !== null, notes, key: s.key, hmacKey: s.hmacKey,
  };
}

/**
 * Parse `text` and plan one user per stanza. `existingNames`: the users
 * there are now (a derived name that is taken is an error, not a rename).
 */
export function planAccessImport(text: string, opts: { prefix: string; existingNames: Iterable<string>; now: number }): AccessPlanResult {
  const parsed = parseAccessConf(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: parsed.warnings, users: [] };
  const errors: Message[] = [];
  const taken = new Set(opts.existingNames);
  const planned = parsed.stanzas.map((s, i) => {
    const name = `${opts.prefix}-${i + 1}`;
    const valid = UserNameSchema.safeParse(name);
    if (!valid.success) errors.push({ line: s.line, message: `stanza #${i + 1}: the name ${name}: ${valid.error.issues[0]?.message ?? "invalid"}` });
    else if (taken.has(name)) errors.push({ line: s.line, message: `stanza #${i + 1}: a user named ${name} already exists. Choose another name prefix, or rename or delete that user first.` });
    return planStanza(s, i + 1, name, opts.now, errors);
  });
  errors.sort((a, b) => a.line - b.line);
  return errors.length > 0 ? { ok: false, errors, warnings: parsed.warnings, users: planned } : { ok: true, users: planned, warnings: parsed.warnings };
}

/** What the browser may see of a planned user: everything but the keys. */
export function toPreview(u: PlannedUser): AccessImportStanza {
  return {
    stanza: u.stanza, line: u.line, name: u.name, sources: u.sources, ports: u.ports, grantSec: u.grantSec, maxGrantSec: u.maxGrantSec,
    requireSourceAddress: u.requireSourceAddress, expiresAt: u.expiresAt, hmacDigest: u.hmacDigest, hasHmacKey: u.hasHmacKey, notes: u.notes,
  };
}

export function readUserNames(tx: Reader): string[] {
  return tx.select({ name: users.name }).from(users).all().map((u) => u.name);
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/**
 * Create the planned users and their SPA credentials inside the caller's
 * transaction. The audit says which stanza each came from and that its keys
 * were imported; it never holds a key.
 */
export function applyAccessImport(ctx: ChangeContext, planned: readonly PlannedUser[], now: number, bytes: number): { names: string[] } {
  const { tx, record } = ctx;
  for (const u of planned) {
    const row = tx
      .insert(users)
      .values({
        name: u.name, comment: `access.conf stanza #${u.stanza}`, enabled: true, expiresAt: u.expiresAt, sources: u.sources, ports: u.ports,
        grantSec: u.grantSec, maxGrantSec: u.maxGrantSec, requireSourceAddress: u.requireSourceAddress, createdAt: now, updatedAt: now,
      })
      .returning()
      .get();
    record({ action: "import", entity: "user", entityId: row.id, after: row });
    const cred = tx
      .insert(userCredentials)
      .values({
        userId: row.id, kind: "spa", spaKey: b64(u.key), spaHmacKey: u.hmacKey ? b64(u.hmacKey) : null, spaHmacDigest: u.hmacKey ? u.hmacDigest : null,
        spaLegacyNoHmac: u.hmacKey === null, createdAt: now,
      })
      .returning({ id: userCredentials.id })
      .get();
    record({
      action: "import-key", entity: "user-credential", entityId: cred.id,
      after: { user: u.name, kind: "spa", keys: "imported from access.conf", stanza: u.stanza, line: u.line, ...(u.hmacKey ? { hmacDigest: u.hmacDigest } : { legacyNoHmac: true }) },
    });
  }
  const names = planned.map((u) => u.name);
  record({ action: "import", entity: "access.conf", after: { users: names, keysImported: planned.length, bytes } });
  return { names };
}

/**
 * A tag for "this exact text was previewed", so applying a different text
 * (edited after the preview) is refused. Keyed with a per-process secret: it
 * says nothing about the text (keys included) to whoever sees the page.
 */
const TAG_KEY = randomBytes(32);
export function previewTag(text: string, prefix: string): string {
  return createHmac("sha256", TAG_KEY).update(prefix).update("\0").update(text).digest("base64url");
}
