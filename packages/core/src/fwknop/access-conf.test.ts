import { FWKNOP_PACKETS } from "@sesame/testkit/fixtures";
import { describe, expect, it } from "vitest";
import { decideSpa } from "../spa/decide";
import { parseAccessConf } from "./access-conf";
import { stanzasToSpaUsers } from "./stanza-users";

const K = "mqVEqLLM0GE9Oh91HQwf53hQASd0akk2CTscXvf2U+U=";
const H = "hwHtcjDyvlfIGlucX8rvFYNQ0XgxxiFQs4CRZj0OHeOPIvSCGhICcQlZKjtST8n6qOD+G82kEGeE/h5sn+OH9Q==";

describe("parseAccessConf: stanzas", () => {
  it("reads every directive Sesame carries out", () => {
    const r = parseAccessConf(`# fwknopd access.conf
SOURCE              10.0.0.0/24, 192.0.2.7
OPEN_PORTS          tcp/22, udp/53
RESTRICT_PORTS      tcp/23
KEY_BASE64          ${K}
HMAC_KEY_BASE64:    ${H}   ; trailing comment
HMAC_DIGEST_TYPE    sha512
FW_ACCESS_TIMEOUT   45
MAX_FW_TIMEOUT      600
REQUIRE_USERNAME    alice
REQUIRE_SOURCE_ADDRESS  Y
ACCESS_EXPIRE_EPOCH 1900000000

SOURCE ANY
KEY    some passphrase
HMAC_KEY  another secret
ACCESS_EXPIRE 12/31/2027
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [a, b] = r.stanzas;
    expect(a).toMatchObject({
      line: 2, sources: ["10.0.0.0/24", "192.0.2.7/32"], openPorts: [{ protocol: "tcp", port: 22 }, { protocol: "udp", port: 53 }], restrictPorts: [{ protocol: "tcp", port: 23 }],
      hmacDigest: "sha512", fwAccessTimeout: 45, maxFwTimeout: 600, requireUsername: "alice", requireSourceAddress: true, accessExpire: 1_900_000_000_000,
    });
    expect(Buffer.from(a!.key).toString("base64")).toBe(K);
    expect(Buffer.from(a!.hmacKey!).toString("base64")).toBe(H);
    expect(b).toMatchObject({ line: 14, sources: [], openPorts: null, fwAccessTimeout: null, maxFwTimeout: 300, hmacDigest: "sha256", requireSourceAddress: false, accessExpire: new Date(2027, 11, 31).getTime() });
    expect(Buffer.from(b!.key).toString()).toBe("some passphrase");
    expect(r.warnings).toEqual([]);
  });

  it("a stanza opens what Debian's client sends for it (access.conf → users → decision)", () => {
    const f = FWKNOP_PACKETS[0]!;
    const r = parseAccessConf(`SOURCE 10.0.0.0/8\nOPEN_PORTS tcp/22\nKEY_BASE64 ${f.keyBase64}\nHMAC_KEY_BASE64 ${f.hmacKeyBase64}\nMAX_FW_TIMEOUT 50\n`);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const users = stanzasToSpaUsers(r.stanzas);
    expect(decideSpa(users, { packet: f.packet, src: "10.0.0.2", now: f.timestamp * 1000, isSeen: () => false })).toMatchObject({ outcome: "opened", user: { name: "stanza #1" }, seconds: 50 });
  });
});

describe("parseAccessConf: errors with line numbers, fwknopd's wording", () => {
  it.each([
    ["a directive without a value", `SOURCE ANY\nKEY_BASE64 ${K}\nOPEN_PORTS\n`, 3, /invalid entry/],
    ["KEY left at __CHANGEME__", "SOURCE ANY\nKEY_BASE64 __CHANGEME__\n", 2, /KEY_BASE64 value is not properly set in stanza source 'ANY'/],
    ["KEY_BASE64 not base64", "SOURCE ANY\nKEY_BASE64 not*base64\n", 2, /doesn't look like base64-encoded data/],
    ["a key over 32 bytes", `SOURCE ANY\nKEY ${"x".repeat(33)}\n`, 2, /at most 32/],
    ["an unknown HMAC digest", `SOURCE ANY\nKEY_BASE64 ${K}\nHMAC_DIGEST_TYPE sha999\n`, 3, /must be one of \{md5,sha1,sha256,sha384,sha512,sha3_256,sha3_512\}/],
    ["a bad port list", `SOURCE ANY\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22,icmp/0\n`, 3, /OPEN_PORTS/],
    ["a bad source", `SOURCE 10.0.0.300\nKEY_BASE64 ${K}\n`, 1, /invalid SOURCE/],
    ["a bad timeout", `SOURCE ANY\nKEY_BASE64 ${K}\nFW_ACCESS_TIMEOUT soon\n`, 3, /not a number of seconds/],
    ["a bad ACCESS_EXPIRE", `SOURCE ANY\nKEY_BASE64 ${K}\nACCESS_EXPIRE 2027-12-31\n`, 3, /need MM\/DD\/YYYY/],
    ["a stanza with no key", "SOURCE ANY\nOPEN_PORTS tcp/22\n", 1, /No keys found for access stanza source: 'ANY'/],
    ["the same key for encryption and HMAC", `SOURCE ANY\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${K}\n`, 1, /should not be identical/],
    ["another encryption mode", `SOURCE ANY\nKEY_BASE64 ${K}\nENCRYPTION_MODE CFB\n`, 3, /ENCRYPTION_MODE CFB is not supported/],
    ["no stanza at all", "# nothing\n", 0, /no access stanza/],
  ])("%s", (_n, text, line, message) => {
    const r = parseAccessConf(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ line });
    expect(r.errors[0]!.message).toMatch(message);
  });
});

describe("parseAccessConf: what Sesame does not carry out is named", () => {
  it.each([
    ["GPG_DECRYPT_ID", /GPG_DECRYPT_ID is not supported: GnuPG/],
    ["ENABLE_CMD_EXEC", /ENABLE_CMD_EXEC is not supported: command messages are refused, never run/],
    ["CMD_CYCLE_OPEN", /CMD_CYCLE_OPEN is not supported/],
    ["FORCE_NAT", /FORCE_NAT is not supported: NAT/],
    ["DESTINATION", /DESTINATION is not supported/],
    ["%include", /%include is not supported: includes/],
    ["FROBNICATE", /unknown directive FROBNICATE/],
  ])("%s", (name, message) => {
    const r = parseAccessConf(`SOURCE ANY\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${H}\n${name} Y\n`);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ line: 4, message: expect.stringMatching(message) }]);
  });

  it("no HMAC key: accepted as legacy, with a warning; lines before SOURCE are ignored with one", () => {
    const r = parseAccessConf(`OPEN_PORTS tcp/22\nSOURCE ANY\nKEY_BASE64 ${K}\nMAX_FW_TIMEOUT 10\n`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.line)).toEqual([1, 2, 2]);
    expect(r.warnings[1]!.message).toMatch(/without an HMAC \(legacy\)/);
    expect(r.warnings[2]!.message).toMatch(/MAX_FW_TIMEOUT < FW_ACCESS_TIMEOUT/);
    expect(stanzasToSpaUsers(r.stanzas)[0]!.credentials[0]!.legacyNoHmac).toBe(true);
  });
});

describe("parseAccessConf: no key is repeated in a message (they reach the import page)", () => {
  const H = "c2VjcmV0LWhtYWMta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2gtZm9yLXRlc3Q=";
  it.each([
    ["a key with one bad character", `SOURCE ANY\nOPEN_PORTS tcp/22\nKEY_BASE64 ${K.slice(0, 20)}*${K.slice(21)}\nHMAC_KEY_BASE64 ${H}\n`],
    ["an HMAC key with a space in it", `SOURCE ANY\nOPEN_PORTS tcp/22\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64 ${H.slice(0, 30)} ${H.slice(30)}\n`],
    ["a key wrapped onto a line of its own", `SOURCE ANY\nOPEN_PORTS tcp/22\nKEY_BASE64\n${K}\nHMAC_KEY_BASE64 ${H}\n`],
  ])("%s", (_what, text) => {
    const r = parseAccessConf(text);
    const messages = [...(r.ok ? [] : r.errors), ...r.warnings].map((m) => m.message).join("\n");
    expect(r.ok).toBe(false);
    for (const secret of [K, H, K.slice(0, 20), H.slice(0, 30), H.slice(30)]) expect(messages).not.toContain(secret);
  });
});
