import { FWKNOP_PACKETS, type FwknopPacketFixture } from "@sesame/testkit/fixtures";
import { describe, expect, it } from "vitest";
import { SPA_DIGESTS, SPA_DIGEST_B64_LEN, decodeB64, spaDigestB64, spaHmacB64 } from "./digest";
import { formatSpaKeyGen, generateSpaKeys } from "./keys";
import { decodeSpaMessage, encodeSpaMessage } from "./message";
import { encodeSpaPacket, openSpaPacket, precheckSpaPacket, verifySpaHmac, type SpaKeys } from "./packet";

const keysOf = (f: FwknopPacketFixture): SpaKeys => ({
  key: decodeB64(f.keyBase64) as Buffer,
  hmacKey: f.hmacKeyBase64 === null ? null : (decodeB64(f.hmacKeyBase64) as Buffer),
  hmacDigest: f.hmacDigest ?? "sha256",
});
const other = generateSpaKeys();
const otherKey = decodeB64(other.keyBase64) as Buffer;
const otherHmac = decodeB64(other.hmacKeyBase64) as Buffer;

describe("packets made by Debian's fwknop 2.6.10 client", () => {
  it.each(FWKNOP_PACKETS.map((f) => [f.name, f] as const))("%s: opens with its keys, every field as the client's -v dump", (_n, f) => {
    expect(precheckSpaPacket(f.packet)).toEqual({ ok: true });
    const r = openSpaPacket(f.packet, keysOf(f));
    expect(r).toMatchObject({ ok: true, digest: f.digest });
    if (!r.ok) return;
    expect(r.fields).toEqual({
      random: f.random, username: f.username, timestamp: f.timestamp, version: f.version, messageType: f.messageType,
      message: f.message, natAccess: f.natAccess, serverAuth: null, clientTimeout: f.clientTimeout,
    });
  });

  it.each(FWKNOP_PACKETS.filter((f) => f.hmacB64).map((f) => [f.name, f] as const))("%s: the HMAC is the client's, over the prefixed base64 ciphertext", (_n, f) => {
    const k = keysOf(f);
    expect(verifySpaHmac(f.packet, k)).toBe(true);
    const len = SPA_DIGEST_B64_LEN[k.hmacDigest];
    expect(f.packet.slice(-len)).toBe(f.hmacB64);
    expect(spaHmacB64(k.hmacDigest, k.hmacKey as Buffer, "U2FsdGVkX1" + f.packet.slice(0, -len))).toBe(f.hmacB64);
  });

  it.each(FWKNOP_PACKETS.filter((f) => f.messageType === 1 || f.messageType === 3).map((f) => [f.name, f] as const))(
    "%s: encoding its fields gives the client's plaintext and digest byte for byte",
    (_n, f) => {
      const text = encodeSpaMessage({ username: f.username, timestamp: f.timestamp, message: f.message, clientTimeout: f.clientTimeout, digest: f.digest, random: f.random });
      expect(text).toBe(`${f.encoded}:${f.digestB64}`);
    },
  );

  it.each(FWKNOP_PACKETS.filter((f) => f.hmacB64).map((f) => [f.name, f] as const))("%s: refused with a wrong HMAC key, with a wrong Rijndael key, and when one byte changes", (_n, f) => {
    const k = keysOf(f);
    expect(openSpaPacket(f.packet, { ...k, hmacKey: otherHmac })).toMatchObject({ ok: false, outcome: "bad-hmac" });
    expect(openSpaPacket(f.packet, { ...k, key: otherKey })).toMatchObject({ ok: false, outcome: "bad-key" });
    const i = 40;
    const flipped = f.packet.slice(0, i) + (f.packet[i] === "A" ? "B" : "A") + f.packet.slice(i + 1);
    expect(openSpaPacket(flipped, k)).toMatchObject({ ok: false, outcome: "bad-hmac" });
  });

  it("an HMAC written with other spare bits in its last base64 character is refused (no second datagram, no second replay digest)", () => {
    const f = FWKNOP_PACKETS.find((x) => x.name === "hmac-sha256-timeout") as FwknopPacketFixture;
    const last = f.packet[f.packet.length - 1] as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    // 43 characters carry 258 bits for SHA-256's 256: the last one's two low bits are spare.
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const variant = f.packet.slice(0, -1) + twin;
    expect(decodeB64(variant.slice(-43))).toEqual(decodeB64(f.packet.slice(-43)));
    expect(openSpaPacket(variant, keysOf(f))).toMatchObject({ ok: false, outcome: "bad-hmac" });
  });

  it("the no-HMAC packet opens only when no HMAC is expected", () => {
    const f = FWKNOP_PACKETS.find((x) => x.name === "no-hmac") as FwknopPacketFixture;
    expect(openSpaPacket(f.packet, { ...keysOf(f), hmacKey: otherHmac })).toMatchObject({ ok: false, outcome: "bad-hmac" });
    expect(openSpaPacket(f.packet, keysOf(f)).ok).toBe(true);
  });
});

describe("encode → decode round trips", () => {
  const key = decodeB64(generateSpaKeys().keyBase64) as Buffer;
  const cases = SPA_DIGESTS.flatMap((hmacDigest) => SPA_DIGESTS.map((digest) => [hmacDigest, digest] as const));
  it.each(cases)("HMAC %s, message digest %s", (hmacDigest, digest) => {
    const hmacKey = decodeB64(generateSpaKeys(hmacDigest).hmacKeyBase64) as Buffer;
    const input = { username: "bob", timestamp: 1_800_000_000, message: "192.0.2.7,tcp/22,udp/53", clientTimeout: 90, digest };
    const packet = encodeSpaPacket(input, { key, hmacKey, hmacDigest });
    const r = openSpaPacket(packet, { key, hmacKey, hmacDigest });
    expect(r).toMatchObject({ ok: true, digest, fields: { username: "bob", timestamp: 1_800_000_000, message: input.message, clientTimeout: 90, messageType: 3, version: "3.0.0" } });
  });

  it("a passphrase key, no timeout (message type 1), and the legacy no-HMAC form", () => {
    const pass = Buffer.from("correct horse battery");
    const packet = encodeSpaPacket({ username: "carol", timestamp: 1_800_000_000, message: "0.0.0.0,tcp/443" }, { key: pass, hmacKey: null, hmacDigest: "sha256" });
    expect(openSpaPacket(packet, { key: pass, hmacKey: null, hmacDigest: "sha256" })).toMatchObject({ ok: true, fields: { messageType: 1, clientTimeout: 0, message: "0.0.0.0,tcp/443" } });
  });

  it("refuses to build what libfko would refuse", () => {
    expect(() => encodeSpaMessage({ username: "a:b", timestamp: 1, message: "1.2.3.4,tcp/22" })).toThrow(/username/);
    expect(() => encodeSpaMessage({ username: "a", timestamp: 1, message: "1.2.3.4,tcp/0" })).toThrow(/access message/);
    expect(() => encodeSpaMessage({ username: "a", timestamp: 1, message: "::1,tcp/22" })).toThrow(/access message/);
    expect(() => encodeSpaPacket({ username: "a", timestamp: 1, message: "1.2.3.4,tcp/22" }, { key: Buffer.alloc(33), hmacKey: null, hmacDigest: "sha256" })).toThrow(/1 to 32/);
  });
});

describe("decodeSpaMessage: what libfko refuses", () => {
  const good = encodeSpaMessage({ username: "alice", timestamp: 1_800_000_000, message: "10.0.0.2,tcp/22", random: "1234567890123456" });
  const body = good.slice(0, good.lastIndexOf(":"));
  // Re-digested, so only the field under test is wrong.
  const withDigest = (b: string) => `${b}:${spaDigestB64("sha256", b)}`;
  it.each([
    ["a changed digest", `${body}:${"A".repeat(43)}`, "digest verification failed"],
    ["a digest of no known length", `${body}:AAAA`, "invalid digest length"],
    ["too few fields", withDigest("1234567890123456:YWxpY2U:1800000000"), "fewer fields"],
    ["a short random value", withDigest(body.replace("1234567890123456", "12345")), "random value"],
    ["a bad username", withDigest(body.replace("YWxpY2U", Buffer.from("a:b").toString("base64"))), "invalid username"],
    ["a bad timestamp", withDigest(body.replace("1800000000", "18x0000000")), "invalid timestamp"],
    ["an unknown message type", withDigest(body.replace(":3.0.0:1:", ":3.0.0:9:")), "invalid message type"],
    ["an IPv6 allow IP", withDigest(body.replace(/:[^:]+$/, `:${Buffer.from("::1,tcp/22").toString("base64")}`)), "fewer fields|invalid access"],
    ["a timeout type without its timeout", withDigest(body.replace(":3.0.0:1:", ":3.0.0:3:")), "wrong number"],
    ["a non-printable byte", `${body}\x01:x`, "non-printable"],
  ])("%s", (_n, text, reason) => {
    const r = decodeSpaMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(reason));
  });
});

describe("precheckSpaPacket", () => {
  const f = FWKNOP_PACKETS[0] as FwknopPacketFixture;
  it.each([
    ["shorter than 140 bytes", f.packet.slice(0, 139), "malformed"],
    ["longer than 1500 bytes", "A".repeat(1501), "malformed"],
    ["with the Rijndael prefix put back", "U2FsdGVkX1" + f.packet, "malformed"],
    ["not base64", f.packet.slice(0, 150) + "!" + f.packet.slice(151), "malformed"],
    ["GnuPG (hQ prefix, over 400 bytes)", "hQ" + "A".repeat(500), "unsupported"],
  ])("%s", (_n, packet, outcome) => {
    expect(precheckSpaPacket(packet)).toMatchObject({ ok: false, outcome });
  });
});

describe("generateSpaKeys as fwknop --key-gen", () => {
  it.each([
    ["sha256", 64], ["md5", 16], ["sha1", 20], ["sha384", 128], ["sha512", 128],
  ] as const)("%s: 32-byte key, %i-byte HMAC key (lengths fwknop 2.6.10 prints)", (d, n) => {
    const k = generateSpaKeys(d);
    expect(decodeB64(k.keyBase64)?.length).toBe(32);
    expect(decodeB64(k.hmacKeyBase64)?.length).toBe(n);
    expect(formatSpaKeyGen(k)).toBe(`KEY_BASE64: ${k.keyBase64}\nHMAC_KEY_BASE64: ${k.hmacKeyBase64}\n`);
  });
});
