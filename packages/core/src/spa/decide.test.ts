import { FWKNOP_PACKETS, type FwknopPacketFixture } from "@sesame/testkit/fixtures";
import { describe, expect, it } from "vitest";
import { decideSpa, spaReplayKey, type SpaCredential, type SpaRequest, type SpaUser } from "./decide";
import { decodeB64 } from "./digest";
import { generateSpaKeys } from "./keys";
import { encodeSpaPacket } from "./packet";

const fx = (name: string) => FWKNOP_PACKETS.find((f) => f.name === name) as FwknopPacketFixture;
const b = (s: string) => decodeB64(s) as Buffer;
const T = fx("hmac-sha256-timeout").timestamp * 1000;

function cred(f: FwknopPacketFixture, over: Partial<SpaCredential> = {}): SpaCredential {
  return {
    id: 7,
    keys: { key: b(f.keyBase64), hmacKey: f.hmacKeyBase64 ? b(f.hmacKeyBase64) : null, hmacDigest: f.hmacDigest ?? "sha256" },
    legacyNoHmac: false, expiresAt: null, revokedAt: null, ...over,
  };
}
function user(f: FwknopPacketFixture, over: Partial<SpaUser> = {}, c: Partial<SpaCredential> = {}): SpaUser {
  return { id: 3, name: "alice", enabled: true, expiresAt: null, sources: [], ports: [{ port: 22, protocol: "tcp" }], maxGrantSec: 300, grantSec: 30, credentials: [cred(f, c)], ...over };
}
const other = generateSpaKeys();
const stranger: SpaUser = {
  id: 9, name: "mallory", enabled: true, expiresAt: null, sources: [], ports: "any", maxGrantSec: 300, grantSec: 30,
  credentials: [{ id: 99, keys: { key: b(other.keyBase64), hmacKey: b(other.hmacKeyBase64), hmacDigest: "sha256" }, legacyNoHmac: false, expiresAt: null, revokedAt: null }],
};
function req(f: FwknopPacketFixture, over: Partial<SpaRequest> = {}): SpaRequest {
  return { packet: f.packet, src: "10.0.0.2", now: f.timestamp * 1000, isSeen: () => false, ...over };
}

describe("decideSpa: outcomes (packets from Debian's fwknop client)", () => {
  const f = fx("hmac-sha256-timeout");
  const cases: [string, SpaUser[], SpaRequest, Record<string, unknown>][] = [
    ["opened: the user, the ports, the client's 60 s timeout, the -a address", [stranger, user(f)], req(f), { outcome: "opened", user: { id: 3, name: "alice" }, credentialId: 7, ports: [{ port: 22, protocol: "tcp" }], seconds: 60, allowIp: "10.0.0.2", username: "alice" }],
    ["opened: the client's timeout is capped by the user's maximum", [user(fx("two-ports"), { ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }], maxGrantSec: 600 })], req(fx("two-ports")), { outcome: "opened", seconds: 600, ports: [{ port: 22, protocol: "tcp" }, { port: 53, protocol: "udp" }] }],
    ["opened: no client timeout gives the user's grant length", [user(fx("hmac-md5"), { grantSec: 45 })], req(fx("hmac-md5")), { outcome: "opened", seconds: 45 }],
    ["opened: the grant length is capped by the maximum too", [user(fx("hmac-md5"), { grantSec: 400, maxGrantSec: 300 })], req(fx("hmac-md5")), { outcome: "opened", seconds: 300 }],
    ["opened: -s (0.0.0.0) opens for the packet's source, IPv6 too", [user(fx("source-ip"))], req(fx("source-ip"), { src: "2001:db8::5" }), { outcome: "opened", allowIp: "2001:db8::5" }],
    ["opened: within the packet age window (119 s late)", [user(f)], req(f, { now: T + 119_000 }), { outcome: "opened" }],
    ["opened: a rotated credential during its grace period", [user(f, {}, { expiresAt: T + 1 })], req(f), { outcome: "opened" }],
    ["opened: two users share the keys, the one whose sources hold the sender opens (fwknopd tries the next stanza)", [user(f, { id: 4, name: "lab", sources: ["192.0.2.0/24"] }), user(f, { id: 5, name: "office", sources: ["10.0.0.0/8"], ports: [{ port: 22, protocol: "tcp" }] })], req(f), { outcome: "opened", user: { id: 5, name: "office" } }],
    ["opened: a no-HMAC packet for a legacy credential", [user(fx("no-hmac"), {}, { legacyNoHmac: true })], req(fx("no-hmac")), { outcome: "opened", user: { id: 3, name: "alice" } }],
    ["replayed: the digest was accepted before (the HMAC names whose packet it was)", [user(f)], req(f, { isSeen: (k) => k === spaReplayKey(f.packet) }), { outcome: "replayed", user: { id: 3, name: "alice" }, credentialId: undefined, replayKey: undefined }],
    ["too-old: 121 s after the client's timestamp", [user(f)], req(f, { now: T + 121_000 }), { outcome: "too-old", reason: "SPA data time difference is too great (121 seconds).", replayKey: spaReplayKey(f.packet) }],
    ["future: 121 s before the client's timestamp", [user(f)], req(f, { now: T - 121_000 }), { outcome: "future" }],
    ["too-old: MAX_SPA_PACKET_AGE lowered to 30 s", [user(f)], req(f, { now: T + 31_000, maxAgeSec: 30 }), { outcome: "too-old" }],
    ["bad-hmac: nobody holds the HMAC key", [stranger], req(f), { outcome: "bad-hmac", user: undefined, replayKey: undefined }],
    ["bad-hmac: the credential was revoked", [user(f, {}, { revokedAt: T - 1 })], req(f), { outcome: "bad-hmac" }],
    ["bad-hmac: the rotation grace is over", [user(f, {}, { expiresAt: T })], req(f), { outcome: "bad-hmac" }],
    ["bad-hmac: a no-HMAC packet when the credential is not legacy", [user(fx("no-hmac"))], req(fx("no-hmac")), { outcome: "bad-hmac" }],
    ["bad-key: right HMAC key, wrong Rijndael key", [user(f, {}, { keys: { key: b(other.keyBase64), hmacKey: b(f.hmacKeyBase64 as string), hmacDigest: "sha256" } })], req(f), { outcome: "bad-key", user: { id: 3, name: "alice" }, replayKey: undefined }],
    ["port-not-allowed: tcp/22 is not among the user's ports", [user(f, { ports: [{ port: 2222, protocol: "tcp" }] })], req(f), { outcome: "port-not-allowed", reason: "One or more requested protocol/ports was denied per access.conf." }],
    ["port-not-allowed: one of two ports is not allowed", [user(fx("two-ports"))], req(fx("two-ports")), { outcome: "port-not-allowed" }],
    ["port-not-allowed: RESTRICT_PORTS wins over any port", [user(f, { ports: "any", restrictPorts: [{ port: 22, protocol: "tcp" }] })], req(f), { outcome: "port-not-allowed" }],
    ["source-not-allowed: the sender is outside the user's sources", [user(f, { sources: ["192.0.2.0/24"] })], req(f), { outcome: "source-not-allowed" }],
    ["source-not-allowed: -a names an address outside the user's sources", [user(f, { sources: ["10.9.0.0/16"] })], req(f, { src: "10.9.0.1" }), { outcome: "source-not-allowed", allowIp: "10.0.0.2" }],
    ["source-not-allowed: REQUIRE_SOURCE_ADDRESS refuses -s", [user(fx("source-ip"), { requireSourceAddress: true })], req(fx("source-ip")), { outcome: "source-not-allowed", reason: "Got 0.0.0.0 when valid source IP was required." }],
    ["username-not-allowed: REQUIRE_USERNAME", [user(f, { requireUsername: "bob" })], req(f), { outcome: "username-not-allowed" }],
    ["user-disabled", [user(f, { enabled: false })], req(f), { outcome: "user-disabled", user: { id: 3, name: "alice" } }],
    ["user-expired", [user(f, { expiresAt: T })], req(f), { outcome: "user-expired", reason: "Access stanza has expired" }],
    ["unsupported: a command message is never run", [user(fx("command"))], req(fx("command")), { outcome: "unsupported", reason: "SPA Command messages are not allowed in the current configuration." }],
    ["unsupported: NAT access", [user(fx("nat"))], req(fx("nat")), { outcome: "unsupported" }],
    ["unsupported: GnuPG", [user(f)], req(f, { packet: "hQ" + "A".repeat(600) }), { outcome: "unsupported", user: undefined }],
    ["malformed: a short datagram", [user(f)], req(f, { packet: "hello" }), { outcome: "malformed" }],
  ];
  it.each(cases)("%s", (_n, users, r, want) => {
    const got = decideSpa(users, r);
    const absent = Object.keys(want).filter((k) => want[k] === undefined);
    expect(got).toMatchObject(Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined)));
    for (const k of absent) expect(got[k as keyof typeof got], k).toBeUndefined();
  });

  it("an authenticated packet carries its replay key whatever the outcome; the same key is what makes it 'replayed'", () => {
    const seen = new Set<string>();
    const first = decideSpa([user(f)], req(f, { isSeen: (k) => seen.has(k) }));
    expect(first.outcome).toBe("opened");
    seen.add(first.replayKey as string);
    expect(decideSpa([user(f)], req(f, { isSeen: (k) => seen.has(k) })).outcome).toBe("replayed");
  });

  it("a packet Sesame encodes decides the same way (the sender's clock, ports and timeout)", () => {
    const k = generateSpaKeys("sha512");
    const u: SpaUser = { ...stranger, id: 1, name: "eve", ports: [{ port: 443, protocol: "tcp" }], credentials: [{ ...stranger.credentials[0]!, keys: { key: b(k.keyBase64), hmacKey: b(k.hmacKeyBase64), hmacDigest: "sha512" } }] };
    const packet = encodeSpaPacket({ username: "eve", timestamp: 1_800_000_000, message: "198.51.100.4,tcp/443", clientTimeout: 10 }, u.credentials[0]!.keys);
    expect(decideSpa([stranger, u], { packet, src: "198.51.100.4", now: 1_800_000_000_500, isSeen: () => false })).toMatchObject({ outcome: "opened", seconds: 10, allowIp: "198.51.100.4", user: { name: "eve" } });
  });
});
