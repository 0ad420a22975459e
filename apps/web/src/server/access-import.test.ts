import { audit, openDb, userCredentials, users } from "@sesame/db";
import { ACCESS_CONF, ACCESS_CONF_BROKEN, ACCESS_CONF_KEYS, ACCESS_CONF_UNSUPPORTED } from "@sesame/testkit/fixtures";
import { describe, expect, it } from "vitest";
import { applyAccessImport, planAccessImport, previewTag, readUserNames, toPreview } from "./access-import";
import { applyChange } from "./config-write";
import { readSetting } from "./settings";

const NOW = Date.UTC(2026, 11, 2);
const KEYS = [ACCESS_CONF_KEYS.office.keyBase64, ACCESS_CONF_KEYS.office.hmacKeyBase64, ACCESS_CONF_KEYS.anywhere.keyBase64, ACCESS_CONF_KEYS.anywhere.hmacKeyBase64];
const plan = (text: string, existingNames: string[] = [], prefix = "stanza") => planAccessImport(text, { prefix, existingNames, now: NOW });

describe("planAccessImport", () => {
  it.each([
    {
      name: "good file: one user per stanza, named prefix-N, with what the stanza says",
      text: ACCESS_CONF,
      existing: [],
      want: {
        ok: true,
        users: [
          { name: "stanza-1", stanza: 1, line: 4, sources: ["203.0.113.0/24", "198.51.100.7/32"], ports: [{ protocol: "tcp", port: 22 }, { protocol: "udp", port: 53 }], grantSec: 60, maxGrantSec: 600, requireSourceAddress: true, hmacDigest: "sha512", hasHmacKey: true, notes: [] },
          { name: "stanza-2", stanza: 2, line: 14, sources: [], ports: [{ protocol: "tcp", port: 2222 }], grantSec: 30, maxGrantSec: 300, requireSourceAddress: false, expiresAt: null, hmacDigest: "sha256", hasHmacKey: true, notes: [] },
        ],
      },
    },
    {
      name: "broken file: every error with its line, no user",
      text: ACCESS_CONF_BROKEN,
      existing: [],
      want: {
        ok: false,
        users: [],
        errors: [
          { line: 3, message: "HMAC_DIGEST_TYPE argument 'sha999' must be one of {md5,sha1,sha256,sha384,sha512,sha3_256,sha3_512}" },
          { line: 4, message: "KEY_BASE64 argument doesn't look like base64-encoded data (the value is not shown)." },
          { line: 7, message: "No keys found for access stanza source: '10.0.0.0/8'" },
          { line: 8, message: "OPEN_PORTS: 'ssh' is not a list of tcp/PORT or udp/PORT" },
        ],
      },
    },
    {
      name: "name clash: an error naming the user, the stanza and its line",
      text: ACCESS_CONF,
      existing: ["alice", "stanza-2"],
      want: { ok: false, errors: [{ line: 14, message: "stanza #2: a user named stanza-2 already exists. Choose another name prefix, or rename or delete that user first." }] },
    },
    {
      name: "unsupported directives: named (with their lines); REQUIRE_USERNAME refuses the stanza (importing would loosen it)",
      text: ACCESS_CONF_UNSUPPORTED,
      existing: [],
      want: {
        ok: false,
        warnings: [
          { line: 5, message: "GPG_REMOTE_ID is not supported: GnuPG-encrypted SPA is refused" },
          { line: 6, message: "ENABLE_CMD_EXEC is not supported: command messages are refused, never run" },
        ],
        errors: [{ line: 1, message: expect.stringContaining("stanza #1 (stanza-1): REQUIRE_USERNAME alice: a Sesame user's packets are not checked for a username") }],
      },
    },
    {
      name: "unsupported directives without REQUIRE_USERNAME: named, and the stanza imports",
      text: ACCESS_CONF_UNSUPPORTED.replace("REQUIRE_USERNAME    alice\n", ""),
      existing: [],
      want: { ok: true, warnings: [expect.objectContaining({ line: 5 }), expect.objectContaining({ line: 6 })], users: [{ name: "stanza-1", notes: [] }] },
    },
    {
      name: "a stanza without OPEN_PORTS cannot be a Sesame user",
      text: "SOURCE ANY\nKEY_BASE64 " + ACCESS_CONF_KEYS.office.keyBase64 + "\nHMAC_KEY_BASE64 " + ACCESS_CONF_KEYS.office.hmacKeyBase64 + "\n",
      existing: [],
      want: { ok: false, errors: [{ line: 1, message: expect.stringContaining("stanza #1 (stanza-1): OPEN_PORTS is not set") }] },
    },
    {
      name: "RESTRICT_PORTS comes off OPEN_PORTS; MAX_FW_TIMEOUT below FW_ACCESS_TIMEOUT caps the grant; no HMAC key is a legacy credential",
      text: "SOURCE 10.1.0.0/16\nOPEN_PORTS tcp/22,tcp/80,tcp/443\nRESTRICT_PORTS tcp/80\nKEY secret-passphrase\nFW_ACCESS_TIMEOUT 900\nMAX_FW_TIMEOUT 120\n",
      existing: [],
      want: {
        ok: true,
        users: [
          {
            ports: [{ protocol: "tcp", port: 22 }, { protocol: "tcp", port: 443 }], grantSec: 120, maxGrantSec: 120, hasHmacKey: false,
            notes: ["RESTRICT_PORTS tcp/80: left out of the user's ports", "FW_ACCESS_TIMEOUT 900 s is longer than the longest grant: 120 s", "no HMAC key: a legacy credential, its packets are accepted without an HMAC"],
          },
        ],
      },
    },
  ])("$name", ({ text, existing, want }) => {
    const r = plan(text, existing);
    const view = { ok: r.ok, users: r.users.map(toPreview), warnings: r.warnings, ...(r.ok ? {} : { errors: r.errors }) };
    expect(view).toMatchObject(want);
  });

  it("a name prefix that makes no valid user name is an error", () => {
    const r = plan(ACCESS_CONF, [], "x".repeat(64));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/^stanza #1: the name x+-1: Name may only contain/);
  });

  it("the preview has no key material", () => {
    const r = plan(ACCESS_CONF);
    const json = JSON.stringify(r.users.map(toPreview));
    for (const k of KEYS) expect(json).not.toContain(k);
    expect(json).not.toMatch(/"key"|hmacKey"/);
  });

  it("the preview tag follows the text and the prefix, and is no digest of the text", () => {
    expect(previewTag(ACCESS_CONF, "stanza")).toBe(previewTag(ACCESS_CONF, "stanza"));
    expect(previewTag(ACCESS_CONF, "stanza")).not.toBe(previewTag(ACCESS_CONF, "fw"));
    expect(previewTag(ACCESS_CONF, "stanza")).not.toBe(previewTag(`${ACCESS_CONF}\n`, "stanza"));
  });
});

describe("applyAccessImport", () => {
  it("creates the users and their SPA credentials in one audited change (no key in the audit; the worker opening for them is tests/net/spa-access-import.test.ts)", () => {
    const db = openDb(":memory:", { migrate: true });
    const r = plan(ACCESS_CONF, readUserNames(db));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const before = readSetting(db, "configVersion");
    applyChange(db, "admin", { bumpConfig: true }, (ctx) => applyAccessImport(ctx, r.users, NOW, ACCESS_CONF.length));
    expect(readSetting(db, "configVersion")).toBe(before + 1);
    const rows = db.select().from(users).all();
    expect(rows.map((u) => [u.name, u.requireSourceAddress, u.expiresAt !== null, u.comment])).toEqual([
      ["stanza-1", true, true, "access.conf stanza #1"],
      ["stanza-2", false, false, "access.conf stanza #2"],
    ]);
    const creds = db.select().from(userCredentials).all();
    expect(creds.map((c) => [c.userId, c.kind, c.spaKey, c.spaHmacKey, c.spaHmacDigest, c.spaLegacyNoHmac])).toEqual([
      [rows[0]!.id, "spa", ACCESS_CONF_KEYS.office.keyBase64, ACCESS_CONF_KEYS.office.hmacKeyBase64, "sha512", false],
      [rows[1]!.id, "spa", ACCESS_CONF_KEYS.anywhere.keyBase64, ACCESS_CONF_KEYS.anywhere.hmacKeyBase64, "sha256", false],
    ]);
    const trail = db.select().from(audit).all();
    expect(trail.map((a) => [a.action, a.entity])).toEqual([
      ["import", "user"], ["import-key", "user-credential"], ["import", "user"], ["import-key", "user-credential"], ["import", "access.conf"],
    ]);
    expect(trail[1]!.after).toMatchObject({ user: "stanza-1", keys: "imported from access.conf", hmacDigest: "sha512" });
    const all = JSON.stringify(trail);
    for (const k of KEYS) expect(all).not.toContain(k);
  });

  it("a clash found when applying rolls everything back", () => {
    const db = openDb(":memory:", { migrate: true });
    const r = plan(ACCESS_CONF, []);
    if (!r.ok) throw new Error("plan");
    db.insert(users).values({ name: "stanza-2", ports: [{ port: 1, protocol: "tcp" }] }).run();
    expect(() => applyChange(db, "admin", { bumpConfig: true }, (ctx) => applyAccessImport(ctx, r.users, NOW, 1))).toThrow(/UNIQUE/);
    expect(db.select().from(users).all().map((u) => u.name)).toEqual(["stanza-2"]);
    expect(db.select().from(userCredentials).all()).toEqual([]);
    expect(db.select().from(audit).all()).toEqual([]);
  });
});
