/**
 * SPA users from the command line, until the Users page exists:
 *   tsx scripts/spa-user.ts add NAME --ports tcp/22[,udp/53] [--sources CIDR,…] [--max-grant SEC] [--grant SEC]
 *                               [--hmac-digest sha256] [--server HOST] [--db PATH]
 *   tsx scripts/spa-user.ts list [--db PATH]
 *   tsx scripts/spa-user.ts revoke NAME [--db PATH]
 * `add` generates the keys as `fwknop --key-gen` does and prints them ONCE
 * (with the ~/.fwknoprc stanza and the client commands); nothing secret is
 * read from the command line. Every change is audited (actor "cli") and
 * bumps configVersion, so a running worker applies it within a second.
 */
import { parseCidr, parseSequence, type Step } from "@sesame/core";
import { formatFwknoprcStanza, formatSpaKeyGen, generateSpaKeys, parseSpaDigest } from "@sesame/core/spa";
import { DEFAULT_DB_PATH, audit, eq, isNull, openDb, settings, userCredentials, users, and, type SesameDb } from "@sesame/db";

function fail(msg: string): never {
  process.stderr.write(`spa-user: ${msg}\n`);
  process.exit(1);
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) fail(`${name} needs a value`);
  return v;
}

function seconds(args: string[], name: string, dflt: number): number {
  const v = flag(args, name);
  if (v === undefined) return dflt;
  if (!/^\d{1,7}$/.test(v) || Number(v) < 1) fail(`${name}: '${v}' is not a number of seconds`);
  return Number(v);
}

/** One audited change, with the configVersion bump, in one transaction (what the UI's applyChange does). */
function change(db: SesameDb, entries: { action: string; entityId: string; after?: unknown; before?: unknown }[], body: () => void): void {
  db.transaction((tx) => {
    body();
    const row = tx.select().from(settings).where(eq(settings.key, "configVersion")).get();
    const next = (typeof row?.value === "number" ? row.value : 0) + 1;
    tx.insert(settings).values({ key: "configVersion", value: next }).onConflictDoUpdate({ target: settings.key, set: { value: next } }).run();
    for (const e of entries) tx.insert(audit).values({ ts: Date.now(), actor: "cli", action: e.action, entity: "user", entityId: e.entityId, before: e.before ?? null, after: e.after ?? null }).run();
  });
}

const [cmd, ...args] = process.argv.slice(2);
const db = openDb(flag(args, "--db") ?? process.env.SESAME_DB ?? DEFAULT_DB_PATH, { migrate: true });

if (cmd === "add") {
  const name = args[0];
  if (!name || name.startsWith("--") || !/^[A-Za-z0-9._@-]{1,64}$/.test(name)) fail("add NAME: a name of letters, digits and . _ @ - (at most 64)");
  const portsText = flag(args, "--ports") ?? fail("add: --ports tcp/22[,udp/53] is required");
  const parsed = parseSequence(portsText.split(",").map((p) => p.trim().replace(/^(tcp|udp)\/(\d+)$/, "$2:$1")).join(","));
  if (!parsed.ok) fail(`--ports: ${parsed.reason}`);
  const ports: Step[] = parsed.steps;
  const sources = (flag(args, "--sources") ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const r = parseCidr(s);
    return r.ok ? r.cidr.text : fail(`--sources: ${r.reason}`);
  });
  const maxGrantSec = seconds(args, "--max-grant", 300);
  const grantSec = Math.min(seconds(args, "--grant", 30), maxGrantSec);
  const digest = parseSpaDigest(flag(args, "--hmac-digest") ?? "sha256") ?? fail("--hmac-digest: md5, sha1, sha256, sha384, sha512, sha3_256 or sha3_512");
  if (db.select().from(users).where(eq(users.name, name)).get()) fail(`a user named ${name} exists`);
  const keys = generateSpaKeys(digest);
  change(db, [{ action: "create", entityId: name, after: { ports, sources, maxGrantSec, grantSec, credential: "spa", hmacDigest: digest } }], () => {
    const u = db.insert(users).values({ name, ports, sources, maxGrantSec, grantSec }).returning({ id: users.id }).get();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: keys.keyBase64, spaHmacKey: keys.hmacKeyBase64, spaHmacDigest: digest }).run();
  });
  const server = flag(args, "--server") ?? "YOUR-SERVER";
  const access = ports.map((p) => `${p.protocol}/${p.port}`).join(",");
  process.stdout.write(
    `User ${name} created. The keys are shown this once; Sesame never shows them again.\n\n${formatSpaKeyGen(keys)}\n` +
      `~/.fwknoprc stanza:\n\n${formatFwknoprcStanza({ name, server, access, ...keys })}\n` +
      `Open with Debian's client:  fwknop -n ${name}\nor with Sesame's:          knock --spa -n ${name}\n`,
  );
} else if (cmd === "list") {
  for (const u of db.select().from(users).orderBy(users.id).all()) {
    const creds = db.select({ id: userCredentials.id, kind: userCredentials.kind, revokedAt: userCredentials.revokedAt, lastUsedAt: userCredentials.lastUsedAt }).from(userCredentials).where(eq(userCredentials.userId, u.id)).all();
    const c = creds.map((x) => `${x.kind}#${x.id}${x.revokedAt ? " (revoked)" : ""}${x.lastUsedAt ? ` used ${new Date(x.lastUsedAt).toISOString()}` : ""}`).join(", ");
    process.stdout.write(`${u.name}\t${u.enabled ? "enabled" : "disabled"}\t${u.ports.map((p) => `${p.protocol}/${p.port}`).join(",")}\tmax ${u.maxGrantSec} s\t${c || "no credential"}\n`);
  }
} else if (cmd === "revoke") {
  const name = args[0] ?? fail("revoke NAME");
  const u = db.select().from(users).where(eq(users.name, name)).get() ?? fail(`no user named ${name}`);
  const now = Date.now();
  change(db, [{ action: "revoke-credentials", entityId: name }], () => {
    db.update(userCredentials).set({ revokedAt: now }).where(and(eq(userCredentials.userId, u.id), isNull(userCredentials.revokedAt))).run();
  });
  process.stdout.write(`${name}: every credential revoked; open grants run out at their expiry (revoke them on the dashboard to close them now).\n`);
} else {
  fail("usage: spa-user.ts add NAME --ports tcp/22 [...] | list | revoke NAME  [--db PATH]");
}
db.$client.close();
