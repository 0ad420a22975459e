import { expect, test } from "@playwright/test";
import { run } from "@sesame/testkit";
import { createHash } from "node:crypto";
import { configVersion, count, testDb } from "../helpers/db";
import { expectConnect, PROTECTED_PORT, startLab, type Lab } from "../helpers/net";

/**
 * The automation API's three typical uses, against the real worker in a
 * namespace (kernel checked with TCP connects): a CI job trusts its runner
 * for an hour and removes it, a script lists open grants, an incident
 * responder bans an address; a provisioning script manages doors as the
 * sequence editor would (the worker applies them: knocked for real). Plus what
 * every call must refuse: no token, a revoked or expired one, a missing
 * scope, a bad body.
 */

const sha256 = (t: string) => createHash("sha256").update(t).digest("hex");
const token = (name: string) => `sst_${name.padEnd(43, "x").slice(0, 43)}`;
const TOKENS = { ci: token("ci-runner"), script: token("grant-lister"), responder: token("responder"), revoked: token("revoked"), expired: token("expired"), doors: token("door-admin") };
const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
const DOOR = "api-e2e";

test.describe.serial("/api/v1 with scoped tokens", () => {
  test.setTimeout(120_000);
  let lab: Lab;
  const ids: number[] = [];

  test.beforeAll(async () => {
    const db = testDb().$client;
    const insert = db.prepare("INSERT INTO api_tokens (name, scopes, sha256, prefix, created_by, expires_at, revoked_at) VALUES (?, ?, ?, ?, 'e2e', ?, ?)");
    const now = Date.now();
    for (const [name, scopes, expiresAt, revokedAt] of [
      ["ci", ["trusted"], now + 3_600_000, null],
      ["script", ["read"], null, null],
      ["responder", ["bans"], null, null],
      ["revoked", ["read", "trusted", "bans"], null, now - 1000],
      ["expired", ["read", "trusted", "bans"], now - 1000, null],
      ["doors", ["doors"], null, null],
    ] as const) {
      const t = TOKENS[name];
      ids.push(Number(insert.run(name, JSON.stringify(scopes), sha256(t), t.slice(0, 10), expiresAt, revokedAt).lastInsertRowid));
    }
    db.prepare("INSERT INTO doors (name, sequence, action, open_ports, duration_sec) VALUES (?, ?, 'open', ?, 120)").run(
      DOOR,
      JSON.stringify([{ port: 7111, protocol: "tcp" }, { port: 7112, protocol: "tcp" }]),
      JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }]),
    );
    lab = await startLab();
  });

  test.afterAll(async () => {
    await lab?.stop();
    const db = testDb().$client;
    // Leave nothing that would follow the next spec's worker (same test addresses).
    db.prepare("UPDATE bans SET lifted_at = ?, lifted_reason = 'unbanned' WHERE door_name LIKE 'api:%' AND lifted_at IS NULL").run(Date.now());
    db.prepare("DELETE FROM trusted_networks WHERE comment LIKE 'e2e %'").run();
    db.prepare("UPDATE grants SET closed_at = ?, closed_reason = 'revoked' WHERE door_name = ? AND closed_at IS NULL").run(Date.now(), DOOR);
    db.prepare("DELETE FROM doors WHERE name = ? OR name LIKE 'apiv1-%'").run(DOOR);
    db.prepare(`DELETE FROM api_tokens WHERE id IN (${ids.map(() => "?").join(",")})`).run(...ids);
  });

  const connects = async (want: boolean): Promise<boolean> => {
    for (let i = 0; i < 15; i++) {
      if ((await lab.connects()) === want) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  };

  test("refused: no token, a malformed, revoked or expired token, a missing scope, a bad body", async ({ request }) => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, "unauthorized"],
      [{ Authorization: "Bearer nope" }, 401, "unauthorized"],
      [auth(TOKENS.revoked), 401, "unauthorized"],
      [auth(TOKENS.expired), 401, "unauthorized"],
      [auth(TOKENS.ci), 403, "forbidden"],
    ];
    for (const [headers, status, code] of cases) {
      const res = await request.get("/api/v1/grants", { headers });
      expect(res.status(), JSON.stringify(headers)).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    }
    // A token adds trusted networks only with an expiry.
    const noTtl = await request.post("/api/v1/trusted", { headers: auth(TOKENS.ci), data: { cidr: "192.0.2.0/24" } });
    expect(noTtl.status()).toBe(400);
    expect((await noTtl.json()).error).toEqual({ code: "invalid_body", message: expect.stringContaining("ttlSec") });
    const badNet = await request.post("/api/v1/trusted", { headers: auth(TOKENS.ci), data: { cidr: "10.0.0.300/24", ttlSec: 3600 } });
    expect((await badNet.json()).error.code).toBe("invalid_body");
    const notJson = await request.post("/api/v1/bans", { headers: { ...auth(TOKENS.responder), "Content-Type": "application/json" }, data: Buffer.from("{nope") });
    expect((await notJson.json()).error).toEqual({ code: "invalid_body", message: "The body must be JSON." });
    expect((await request.post("/api/v1/bans", { headers: auth(TOKENS.script), data: { ip: "192.0.2.1", durationSec: 60 } })).status()).toBe(403);
  });

  test("a provisioning script manages doors: list, create, switch, edit, delete, as the editor would", async ({ request }) => {
    const H = auth(TOKENS.doors);
    const db = testDb().$client;
    const oneTime = [[7301], [7302], [7303]].map((s) => s.map((port) => ({ port, protocol: "tcp" })));
    const oneTimeId = Number(
      db
        .prepare("INSERT INTO doors (name, sequence, one_time_sequences, one_time_index, action, open_ports, duration_sec, source) VALUES ('apiv1-onetime', ?, ?, 1, 'open', ?, 60, 'knockd-conf')")
        .run(JSON.stringify(oneTime[1]), JSON.stringify(oneTime), JSON.stringify([{ port: PROTECTED_PORT, protocol: "tcp" }])).lastInsertRowid,
    );
    const commandId = Number(
      db
        .prepare("INSERT INTO doors (name, sequence, action, command_section, command_preview, duration_sec, enabled, source) VALUES ('apiv1-cmd', ?, 'command', 'apiv1-cmd', 'start_command = /bin/true %IP%', 10, 0, 'knockd-conf')")
        .run(JSON.stringify([{ port: 7401, protocol: "tcp" }])).lastInsertRowid,
    );

    // Listing: scope read (or doors); no token 401, another scope 403; never the one-time sequences.
    expect((await request.get("/api/v1/doors")).status()).toBe(401);
    expect((await (await request.get("/api/v1/doors", { headers: auth(TOKENS.ci) })).json()).error.code).toBe("forbidden");
    const listed = await request.get("/api/v1/doors", { headers: auth(TOKENS.script) });
    expect(listed.status()).toBe(200);
    const text = await listed.text();
    expect(text).not.toMatch(/730[123]/);
    const byName = new Map((JSON.parse(text).doors as { name: string }[]).map((d) => [d.name, d]));
    expect(byName.get(DOOR)).toMatchObject({
      kind: "sequence",
      enabled: true,
      steps: [{ port: 7111, protocol: "tcp" }, { port: 7112, protocol: "tcp" }],
      oneTime: null,
      action: { kind: "open", ports: [{ port: PROTECTED_PORT, protocol: "tcp" }], durationSec: 120 },
    });
    expect(byName.get("apiv1-onetime")).toMatchObject({ steps: null, oneTime: { remaining: 2 }, source: "knockd-conf" });
    expect(byName.get("apiv1-cmd")).toMatchObject({ enabled: false, action: { kind: "command", section: "apiv1-cmd", commands: "start_command = /bin/true %IP%" } });
    expect((await request.get(`/api/v1/doors/${commandId}`, { headers: H })).status()).toBe(200);

    // Creating needs scope doors; a bad body names the fields and saves nothing.
    const made = { name: "apiv1-made", steps: [{ port: 7121 }, { port: 7122 }], seqTimeoutSec: 10, action: { kind: "open", ports: [{ port: PROTECTED_PORT }], durationSec: 3 } };
    expect((await (await request.post("/api/v1/doors", { headers: auth(TOKENS.script), data: made })).json()).error.code).toBe("forbidden");
    const before = { doors: count("doors"), version: configVersion(), audit: count("audit") };
    const bad = await request.post("/api/v1/doors", { headers: H, data: { ...made, name: "has space", steps: [{ port: 70000 }], action: { kind: "open", ports: [], durationSec: 3 } } });
    expect(bad.status()).toBe(400);
    const badError = (await bad.json()).error;
    expect(badError.code).toBe("invalid_body");
    expect(badError.message).toContain("Name may only contain letters");
    expect(badError.message).toContain("steps.0.port: Port must be a whole number from 1 to 65535.");
    expect(badError.message).toContain("action.ports: Choose at least one port to open.");
    expect({ doors: count("doors"), version: configVersion(), audit: count("audit") }).toEqual(before);

    // Created: audited with the token as actor, configVersion bumped, and the worker opens on its knock.
    const created = await request.post("/api/v1/doors", { headers: H, data: made });
    expect(created.status(), await created.text()).toBe(201);
    const door = (await created.json()).door;
    expect(door).toMatchObject({ name: "apiv1-made", enabled: true, steps: [{ port: 7121, protocol: "tcp" }, { port: 7122, protocol: "tcp" }], seqTimeoutSec: 10 });
    expect(configVersion()).toBe(before.version + 1);
    expect((await (await request.post("/api/v1/doors", { headers: H, data: made })).json()).error.code).toBe("conflict");
    expect(await expectConnect(lab, false)).toBe(true);
    await lab.knock(["7121", "7122"]);
    expect(await expectConnect(lab, true)).toBe(true);
    expect(await expectConnect(lab, false, 8000)).toBe(true); // the 3 s grant runs out

    // Switched off: the same knock no longer opens.
    const off = await request.patch(`/api/v1/doors/${door.id}`, { headers: H, data: { enabled: false } });
    expect(off.status(), await off.text()).toBe(200);
    expect((await off.json()).door.enabled).toBe(false);
    await new Promise((r) => setTimeout(r, 1500)); // the worker re-reads within a second
    await lab.knock(["7121", "7122"]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await lab.connects()).toBe(false);

    // Edited: fields laid over the door's own, checked with the editor's schema; a bad one changes nothing.
    const edited = await request.patch(`/api/v1/doors/${door.id}`, { headers: H, data: { steps: [{ port: 7131, protocol: "udp" }], cooldownSec: 5 } });
    expect(edited.status(), await edited.text()).toBe(200);
    expect((await edited.json()).door).toMatchObject({ enabled: false, steps: [{ port: 7131, protocol: "udp" }], cooldownSec: 5, seqTimeoutSec: 10 });
    const version = configVersion();
    for (const [data, message] of [
      [{ seqTimeoutSec: 0 }, "Sequence timeout must be a whole number of seconds from 1 to 3600."],
      [{ enabled: "maybe" }, "Enabled must be yes or no."],
      [{ id: 3 }, "id: not a door field"],
      [{}, "Send at least one door field"],
    ] as const) {
      const res = await request.patch(`/api/v1/doors/${door.id}`, { headers: H, data });
      expect(res.status(), JSON.stringify(data)).toBe(400);
      expect((await res.json()).error).toEqual({ code: "invalid_body", message: expect.stringContaining(message) });
    }
    expect(configVersion()).toBe(version);
    expect((await (await request.get(`/api/v1/doors/${door.id}`, { headers: H })).json()).door).toMatchObject({ seqTimeoutSec: 10, enabled: false });

    // Command and one-time doors: a token may switch them (or delete them), never re-key them.
    for (const id of [commandId, oneTimeId]) {
      const res = await request.patch(`/api/v1/doors/${id}`, { headers: H, data: { steps: [{ port: 7501 }] } });
      expect(res.status()).toBe(409);
      expect((await res.json()).error.code).toBe("conflict");
    }
    const oneTimeOff = await request.patch(`/api/v1/doors/${oneTimeId}`, { headers: H, data: { enabled: false } });
    expect(oneTimeOff.status()).toBe(200);
    expect(await oneTimeOff.text()).not.toMatch(/730[123]/);

    // The lock-out check runs on the caller's address (not trusted here): a newly protected port needs confirmLockout.
    const guarded = { name: "apiv1-guarded", steps: [{ port: 7141 }], action: { kind: "open", ports: [{ port: 7199 }], durationSec: 5 } };
    const risky = await request.post("/api/v1/doors", { headers: H, data: guarded });
    expect(risky.status()).toBe(409);
    expect((await risky.json()).error).toEqual({ code: "lockout_risk", message: expect.stringContaining('"confirmLockout": true') });
    expect(count("doors", "name = 'apiv1-guarded'")).toBe(0);
    const confirmed = await request.post("/api/v1/doors", { headers: H, data: { ...guarded, confirmLockout: true } });
    expect(confirmed.status(), await confirmed.text()).toBe(201);
    const guardedId = (await confirmed.json()).door.id;

    // Deleted: gone, and a second delete is a 404; a bad id is a 400.
    for (const id of [guardedId, door.id, oneTimeId, commandId]) {
      expect((await request.delete(`/api/v1/doors/${id}`, { headers: H })).status()).toBe(204);
    }
    expect((await request.get(`/api/v1/doors/${door.id}`, { headers: H })).status()).toBe(404);
    expect((await (await request.delete(`/api/v1/doors/${door.id}`, { headers: H })).json()).error.code).toBe("not_found");
    expect((await (await request.delete("/api/v1/doors/abc", { headers: H })).json()).error.code).toBe("invalid_path");
    expect((await request.delete(`/api/v1/doors/${DOOR}`, { headers: auth(TOKENS.script) })).status()).toBe(403);

    const audit = db.prepare("SELECT action, entity_id AS id FROM audit WHERE entity = 'door' AND actor = 'token:doors@127.0.0.1' ORDER BY audit.id").all();
    expect(audit).toEqual([
      { action: "create", id: String(door.id) },
      { action: "disable", id: String(door.id) },
      { action: "update", id: String(door.id) },
      { action: "disable", id: String(oneTimeId) },
      { action: "create", id: String(guardedId) },
      ...[guardedId, door.id, oneTimeId, commandId].map((id) => ({ action: "delete", id: String(id) })),
    ]);
  });

  test("a CI job trusts its runner's address for an hour, then removes it", async ({ request }) => {
    const ip = lab.net.clientIp;
    expect(await connects(false)).toBe(true);
    const res = await request.post("/api/v1/trusted", { headers: auth(TOKENS.ci), data: { cidr: `${ip}/32`, comment: "e2e ci job 42", ttlSec: 3600 } });
    expect(res.status(), await res.text()).toBe(201);
    const { trusted } = await res.json();
    expect(trusted).toMatchObject({ cidr: `${ip}/32`, comment: "e2e ci job 42" });
    expect(trusted.expiresAt - Date.now()).toBeGreaterThan(3_590_000);
    expect(await connects(true)).toBe(true);
    // The kernel holds the expiry itself (fail closed if the worker dies).
    const set = await run(["nft", "list", "set", "inet", "sesame", "trusted4"], { ns: lab.net.server });
    expect(set.stdout).toMatch(new RegExp(`${ip.replace(/\./g, "\\.")} timeout (59m\\d+s|1h)`));
    const again = await request.post("/api/v1/trusted", { headers: auth(TOKENS.ci), data: { cidr: `${ip}/32`, ttlSec: 60 } });
    expect(again.status()).toBe(409);

    const del = await request.delete(`/api/v1/trusted/${trusted.id}`, { headers: auth(TOKENS.ci) });
    expect(del.status()).toBe(204);
    expect(await connects(false)).toBe(true);
    expect((await request.delete(`/api/v1/trusted/${trusted.id}`, { headers: auth(TOKENS.ci) })).status()).toBe(404);

    // A network an admin trusts for good is out of a token's reach.
    const permanent = Number(testDb().$client.prepare("INSERT INTO trusted_networks (cidr, comment) VALUES ('198.18.0.0/15', 'e2e admin net')").run().lastInsertRowid);
    const refused = await request.delete(`/api/v1/trusted/${permanent}`, { headers: auth(TOKENS.ci) });
    expect(refused.status()).toBe(403);

    const audit = testDb().$client.prepare("SELECT actor, action FROM audit WHERE entity = 'trusted-network' AND actor LIKE 'token:ci@%' ORDER BY id").all();
    expect(audit).toEqual([
      { actor: "token:ci@127.0.0.1", action: "create" },
      { actor: "token:ci@127.0.0.1", action: "delete" },
    ]);
    const used = testDb().$client.prepare("SELECT last_used_at AS t FROM api_tokens WHERE name = 'ci' AND id IN (" + ids.join(",") + ")").get() as { t: number };
    expect(Date.now() - used.t).toBeLessThan(30_000);
  });

  test("a script lists open grants (and the API's p95 latency)", async ({ request }) => {
    await lab.knock(["7111", "7112"]);
    expect(await connects(true)).toBe(true);
    let grants: { ip: string; doorName: string; ports: unknown; expiresAt: number }[] = [];
    for (let i = 0; i < 20 && !grants.some((g) => g.ip === lab.net.clientIp); i++) {
      const res = await request.get("/api/v1/grants", { headers: auth(TOKENS.script) });
      expect(res.status()).toBe(200);
      grants = (await res.json()).grants;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(grants.find((g) => g.ip === lab.net.clientIp)).toMatchObject({ doorName: DOOR, ports: [{ port: PROTECTED_PORT, protocol: "tcp" }] });
    const took: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      expect((await request.get("/api/v1/grants", { headers: auth(TOKENS.script) })).status()).toBe(200);
      took.push(performance.now() - t0);
    }
    took.sort((a, b) => a - b);
    console.log(`GET /api/v1/grants: median ${took[25]!.toFixed(1)} ms, p95 ${took[47]!.toFixed(1)} ms over 50 calls`);
    expect(took[47]).toBeLessThan(500);
  });

  test("an incident responder bans an address: the kernel drops it, granted or not", async ({ request }) => {
    expect(await connects(true)).toBe(true); // still granted from the knock above
    const res = await request.post("/api/v1/bans", { headers: auth(TOKENS.responder), data: { ip: lab.net.clientIp, durationSec: 600, reason: "e2e incident" } });
    expect(res.status(), await res.text()).toBe(201);
    expect((await res.json()).ban).toMatchObject({ ip: lab.net.clientIp, doorName: "api:responder" });
    expect(await connects(false)).toBe(true);
    const listed = await (await request.get("/api/v1/bans", { headers: auth(TOKENS.responder) })).json();
    expect(listed.bans.map((b: { ip: string }) => b.ip)).toContain(lab.net.clientIp);
    const audit = testDb().$client.prepare("SELECT actor FROM audit WHERE entity = 'ban' AND action = 'create' ORDER BY id DESC LIMIT 1").get();
    expect(audit).toEqual({ actor: "token:responder@127.0.0.1" });
  });
});
