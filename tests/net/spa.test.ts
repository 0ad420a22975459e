import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSpaKeys, type SpaKeyPair } from "@sesame/core/spa";
import { desc, eq, events, replayCache, userCredentials, users } from "@sesame/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { must, waitFor } from "@sesame/testkit";
import { REPO, escapeIp, useWorkerRig } from "./worker-harness";

// SPA through the real worker: Debian's fwknop 2.6.10 client in the client
// namespace, the worker's pcap on veth-s and its nftables in the server
// namespace, a user with SPA keys in the database as the UI would write it.
// Outcomes are read back from the events table.

const KNOCK_BIN = join(REPO, "packages/knock/bin/knock.js");
const alice = generateSpaKeys();
const stranger = generateSpaKeys();
let dir: string;

describe("worker: fwknop SPA", () => {
  const rig = useWorkerRig({ tag: "spa", extraClientIps: 2, servicePorts: [2222, 2223], start: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sesame-spa-"));
    const db = rig.db.db;
    const u = db.insert(users).values({ name: "alice", ports: [{ port: 2222, protocol: "tcp" }], maxGrantSec: 120, grantSec: 20 }).returning({ id: users.id }).get();
    db.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: alice.keyBase64, spaHmacKey: alice.hmacKeyBase64, spaHmacDigest: "sha256" }).run();
    await rig.start();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs Debian's fwknop with a ~/.fwknoprc stanza holding `keys` (no key on its command line); returns the datagram it sent. */
  async function fwknop(keys: SpaKeyPair, args: string[]): Promise<string> {
    const rc = join(dir, `rc-${Math.random().toString(36).slice(2)}`);
    writeFileSync(rc, `[s]\nKEY_BASE64 ${keys.keyBase64}\nHMAC_KEY_BASE64 ${keys.hmacKeyBase64}\nUSE_HMAC Y\n`, { mode: 0o600 });
    const saved = `${rc}.pkt`;
    await must(["fwknop", "--rc-file", rc, "-n", "s", "--no-save-args", "-D", rig.net.serverIp, "-B", saved, ...args], { ns: rig.net.client, timeoutMs: 20_000 });
    return readFileSync(saved, "utf8").trim();
  }

  /** Sends `payload` as one UDP datagram from the client namespace (a replay of a captured packet). */
  async function resend(payload: string): Promise<void> {
    const js = `const s=require("node:dgram").createSocket("udp4");s.send(process.argv[1],62201,process.argv[2],()=>s.close());`;
    await must(["node", "-e", js, payload, rig.net.serverIp], { ns: rig.net.client });
  }

  /** The newest `spa`/`open` events, waited for (the worker writes behind). */
  async function outcome(since: number, want: string): Promise<{ outcome: string; userName: string | null; ip: string | null }> {
    let found: { outcome: string; userName: string | null; ip: string | null } | undefined;
    await waitFor(() => {
      const rows = rig.db.db.select().from(events).where(eq(events.doorName, "SPA")).orderBy(desc(events.id)).all().filter((r) => r.ts >= since);
      for (const r of rows) {
        const o = r.kind === "open" ? "opened" : (JSON.parse(r.detail ?? "{}") as { outcome?: string }).outcome ?? "?";
        if (o === want) found = { outcome: o, userName: r.userName, ip: r.ip };
      }
      return found !== undefined;
    }, 5000, 100);
    if (!found) throw new Error(`no ${want} event; worker said:\n${rig.worker!.lines.slice(-10).join("\n")}`);
    return found;
  }

  let sent = "";

  it("the user's port is protected before any packet", async () => {
    expect(await rig.connects(2222, rig.net.clientIp)).toBe(false);
    expect(await rig.connects(2223, rig.net.clientIp)).toBe(true);
  });

  it("Debian's fwknop client opens tcp/2222 for its own address only, with the user on the grant and the event", async () => {
    const t = Date.now();
    sent = await fwknop(alice, ["-A", "tcp/2222", "-a", rig.net.clientIp, "-f", "60"]);
    await rig.worker!.waitForLine(new RegExp(`${escapeIp(rig.net.clientIp)}: SPA alice: access granted: tcp/2222 for 60 s`), 5000);
    expect(await waitFor(() => rig.connects(2222, rig.net.clientIp), 3000, 100)).toBe(true);
    expect(await rig.connects(2222, rig.ip(0))).toBe(false);
    expect(await outcome(t, "opened")).toEqual({ outcome: "opened", userName: "alice", ip: rig.net.clientIp });
  });

  it("the captured datagram resent is refused as a replay, also after a worker restart", async () => {
    let t = Date.now();
    await resend(sent);
    expect(await outcome(t, "replayed")).toMatchObject({ outcome: "replayed", userName: "alice" });
    await rig.worker!.stop();
    // What the restarted worker remembers it from: the digest row, kept for the age window.
    const rows = rig.db.db.select().from(replayCache).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^spa:[A-Za-z0-9+/]{43}$/);
    expect(rows[0]!.expiresAt).toBeGreaterThan(Date.now());
    await rig.start();
    t = Date.now();
    await resend(sent);
    expect(await outcome(t, "replayed")).toMatchObject({ outcome: "replayed", userName: "alice" });
    expect(rig.worker!.grep(/access granted/)).toEqual([]);
  });

  it.each([
    ["a wrong HMAC key", () => ({ ...alice, hmacKeyBase64: stranger.hmacKeyBase64 }), [] as string[], "bad-hmac", null],
    ["a wrong encryption key", () => ({ ...alice, keyBase64: stranger.keyBase64 }), [], "bad-key", "alice"],
    ["a timestamp 5 minutes old", () => alice, ["--time-offset-minus", "300s"], "too-old", "alice"],
    ["a timestamp 5 minutes ahead", () => alice, ["--time-offset-plus", "300s"], "future", "alice"],
    ["a port the user may not open", () => alice, [], "port-not-allowed", "alice"],
  ])("%s is refused (outcome in events, nothing opened)", async (name, keys, extra, want, userName) => {
    const from = rig.ip(1);
    const t = Date.now();
    const port = want === "port-not-allowed" ? "2223" : "2222";
    await fwknop(keys(), ["-A", `tcp/${port}`, "-a", from, ...extra]);
    expect(await outcome(t, want), name).toMatchObject({ outcome: want, userName });
    expect(await rig.connects(2222, from)).toBe(false);
  });

  it("Sesame's own client over IPv6 (-s: the packet's source) opens for that IPv6 address", async () => {
    const keyFile = join(dir, "alice.keys");
    writeFileSync(keyFile, `KEY_BASE64: ${alice.keyBase64}\nHMAC_KEY_BASE64: ${alice.hmacKeyBase64}\n`, { mode: 0o600 });
    const t = Date.now();
    await must(["node", KNOCK_BIN, "--spa", "--key-file", keyFile, "-A", "tcp/2222", "-s", "-6", rig.net.serverIp6], { ns: rig.net.client, timeoutMs: 20_000 });
    expect(await outcome(t, "opened")).toMatchObject({ userName: "alice", ip: rig.net.clientIp6 });
    expect(await waitFor(() => rig.connects(2222, rig.net.clientIp6, rig.net.serverIp6), 3000, 100)).toBe(true);
  });
});
