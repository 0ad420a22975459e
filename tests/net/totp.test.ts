import { randomBytes } from "node:crypto";
import { describe, expect, it, beforeAll } from "vitest";
import { DEFAULT_TOTP_SETTINGS, deriveTotpSequence, encodeBase32, totpCodeAt, totpStepAt, type Step } from "@sesame/core";
import { userCredentials, users } from "@sesame/db";
import { must, waitFor } from "@sesame/testkit";
import { escapeIp, knock, useWorkerRig } from "./worker-harness";

// Rotating (TOTP) knock sequences end to end: users and credentials written
// as the Users page writes them, the real worker in the server namespace,
// Debian's `knock` client in the client namespace sending the sequence a
// phone's code gives, and real TCP connects to see what the kernel allows.

const ALICE = randomBytes(20);
const BOB = randomBytes(20);
const CAROL = randomBytes(20);

/** Alice's windows used so far (a test must not pick one of them by accident when a step passes mid-test). */
const used = new Set<number>();

/** The sequence for `secret`'s code `offset` windows from now. */
function sequence(secret: Uint8Array, offset = 0): Step[] {
  const step = totpStepAt(Date.now()) + offset;
  if (secret === ALICE) used.add(step);
  return deriveTotpSequence(totpCodeAt(secret, step), DEFAULT_TOTP_SETTINGS);
}

/** An offset (-1, 0, 1) whose window Alice has not used yet. */
function unusedOffset(): number {
  const now = totpStepAt(Date.now());
  const offset = [-1, 0, 1].find((o) => !used.has(now + o));
  if (offset === undefined) throw new Error("every accepted window is used");
  return offset;
}
const args = (seq: Step[]) => seq.map((s) => (s.protocol === "udp" ? `${s.port}:udp` : String(s.port)));

describe("worker: rotating TOTP sequences", () => {
  const rig = useWorkerRig({
    tag: "tp",
    extraClientIps: 2,
    servicePorts: [2241, 2242, 2243],
    doors: [{ name: "decoy", sequence: "7501,7502", action: "ban", durationSec: 60 }],
    start: false,
  });

  beforeAll(async () => {
    const db = rig.db.db;
    const add = (name: string, port: number, secret: Uint8Array, over: Partial<typeof users.$inferInsert> = {}) => {
      const u = db.insert(users).values({ name, ports: [{ port, protocol: "tcp" }], grantSec: 3, maxGrantSec: 3, ...over }).returning().get();
      db.insert(userCredentials).values({ userId: u.id, kind: "totp", totpSecret: encodeBase32(secret) }).run();
    };
    add("alice", 2241, ALICE);
    add("bob", 2242, BOB, { enabled: false });
    add("carol", 2243, CAROL, { expiresAt: Date.now() - 1000 });
    await rig.start();
  }, 60_000);

  const debianKnock = (seq: Step[]) => must(["knock", rig.net.serverIp, ...args(seq)], { ns: rig.net.client });
  const me = () => rig.net.clientIp;

  it("the current code's sequence opens once; its replay is refused, from the same address and from another", async () => {
    expect(await rig.connects(2241, me())).toBe(false);
    const seq = sequence(ALICE);
    await debianKnock(seq);
    expect(await waitFor(() => rig.connects(2241, me()), 3000, 100)).toBe(true);
    await rig.worker!.waitForLine(new RegExp(`^${escapeIp(me())}: totp:alice: access granted: tcp/2241 for 3 s`), 2000);

    // An eavesdropper replays it from their own address: refused.
    await knock(rig.net.client, { host: rig.net.serverIp, steps: seq, localAddress: rig.ip(0) });
    await rig.worker!.waitForLine(new RegExp(`^${escapeIp(rig.ip(0))}: totp:alice: refused \\(replayed\\)`), 2000);
    expect(await rig.connects(2241, rig.ip(0))).toBe(false);

    // Once the 3 s grant is over, the same sequence from the same address opens nothing either.
    expect(await waitFor(async () => !(await rig.connects(2241, me())), 6000, 200)).toBe(true);
    const before = rig.worker!.grep(/totp:alice: refused \(replayed\)/).length;
    await debianKnock(seq);
    expect(await waitFor(() => rig.worker!.grep(/totp:alice: refused \(replayed\)/).length > before, 2000, 50)).toBe(true);
    expect(await rig.connects(2241, me())).toBe(false);

    const rows = rig.db.db.$client.prepare("SELECT ip, door_name, user_name FROM grants").all();
    expect(rows).toEqual([{ ip: me(), door_name: "totp:alice", user_name: "alice" }]);
    const kinds = rig.db.db.$client.prepare("SELECT kind, count(*) AS n FROM events WHERE user_name = 'alice' AND kind IN ('open', 'replayed') GROUP BY kind ORDER BY kind").all();
    expect(kinds).toEqual([{ kind: "open", n: 1 }, { kind: "replayed", n: 2 }]);
  });

  it("the next window's sequence works (the phone's clock a step ahead)", async () => {
    expect(await rig.connects(2241, me())).toBe(false);
    await debianKnock(sequence(ALICE, 1));
    expect(await waitFor(() => rig.connects(2241, me()), 3000, 100)).toBe(true);
  });

  it("a decoy ban holds for rotating sequences too", async () => {
    await rig.knock("7501,7502", rig.ip(1));
    await rig.worker!.waitForLine(new RegExp(`^${escapeIp(rig.ip(1))}: decoy: banned for 60 s`), 2000);
    await knock(rig.net.client, { host: rig.net.serverIp, steps: sequence(ALICE, unusedOffset()), localAddress: rig.ip(1) });
    await rig.worker!.waitForLine(new RegExp(`^${escapeIp(rig.ip(1))}: totp:alice: address is banned; not opened`), 2000);
    expect(await rig.connects(2241, rig.ip(1))).toBe(false);
  });

  it("at the next 30 s step the windows move on: the code two steps past the first opens", async () => {
    const first = totpStepAt(Date.now());
    const nextStart = (first + 1) * 30_000;
    await new Promise((r) => setTimeout(r, Math.max(0, nextStart - Date.now() + 1500)));
    expect(await waitFor(async () => !(await rig.connects(2241, me())), 6000, 200)).toBe(true);
    // first + 2 is the new next window: accepted only if the worker moved its windows on.
    await debianKnock(deriveTotpSequence(totpCodeAt(ALICE, first + 2), DEFAULT_TOTP_SETTINGS));
    expect(await waitFor(() => rig.connects(2241, me()), 3000, 100)).toBe(true);
  }, 60_000);

  it("a disabled user's and an expired user's sequences open nothing, and are refused by name", async () => {
    await debianKnock(sequence(BOB));
    await debianKnock(sequence(CAROL));
    expect(await waitFor(() => rig.worker!.grep(/totp:(bob|carol): refused/).length === 2, 3000, 50)).toBe(true);
    expect(rig.worker!.grep(/totp:(bob|carol): refused/).map((l) => l.replace(/^.*?totp:/, "totp:"))).toEqual([
      "totp:bob: refused (user-disabled): user bob is disabled",
      "totp:carol: refused (user-expired): user carol (or this credential) expired",
    ]);
    // Their ports stay protected: disabling a user does not open the port to everyone.
    expect(await rig.connects(2242, me())).toBe(false);
    expect(await rig.connects(2243, me())).toBe(false);
  });
});
