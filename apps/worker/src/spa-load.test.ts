import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideSpa } from "@sesame/core/spa";
import { openDb, userCredentials, users } from "@sesame/db";
import { FWKNOP_PACKETS } from "@sesame/testkit/fixtures";
import { afterEach, describe, expect, it } from "vitest";
import { loadSpaUsers } from "./spa-load";

// loadSpaUsers on a real migrated SQLite file, as the web app writes it: the
// per-user REQUIRE_SOURCE_ADDRESS reaches the decision (a `fwknop -s` packet,
// allow IP 0.0.0.0, is refused only for the user who requires it).

const sourceIp = FWKNOP_PACKETS.find((p) => p.name === "source-ip")!;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbWith(requireSourceAddress: boolean | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "sesame-spa-load-"));
  dirs.push(dir);
  const path = join(dir, "sesame.db");
  const web = openDb(path, { migrate: true });
  const u = web
    .insert(users)
    .values({ name: "alice", ports: [{ port: 22, protocol: "tcp" }], ...(requireSourceAddress === undefined ? {} : { requireSourceAddress }) })
    .returning({ id: users.id })
    .get();
  web.insert(userCredentials).values({ userId: u.id, kind: "spa", spaKey: sourceIp.keyBase64, spaHmacKey: sourceIp.hmacKeyBase64, spaHmacDigest: "sha256" }).run();
  web.$client.close();
  // The worker opens the same file on its own.
  return openDb(path);
}

describe("loadSpaUsers: REQUIRE_SOURCE_ADDRESS", () => {
  it.each([
    { name: "required: fwknop -s is refused", set: true, want: { requireSourceAddress: true, outcome: "source-not-allowed" } },
    { name: "not required: fwknop -s opens for the sender", set: false, want: { requireSourceAddress: false, outcome: "opened" } },
    { name: "column default (a user saved before the setting existed)", set: undefined, want: { requireSourceAddress: false, outcome: "opened" } },
  ])("$name", ({ set, want }) => {
    const db = dbWith(set);
    const warned: string[] = [];
    const loaded = loadSpaUsers(db, (_k, m) => warned.push(m));
    db.$client.close();
    expect(warned).toEqual([]);
    expect(loaded).toHaveLength(1);
    const d = decideSpa(loaded, { packet: sourceIp.packet, src: "10.0.0.2", now: sourceIp.timestamp * 1000, isSeen: () => false });
    expect({ requireSourceAddress: loaded[0]!.requireSourceAddress, outcome: d.outcome }).toEqual(want);
  });
});
