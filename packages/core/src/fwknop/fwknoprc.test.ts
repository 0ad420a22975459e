import { describe, expect, it } from "vitest";
import { generateSpaKeys } from "../spa/keys";
import { formatFwknoprcStanza, parseFwknoprc, spaKeysFromRc } from "./fwknoprc";

describe("~/.fwknoprc", () => {
  it("the stanza Sesame prints reads back: server, access, source, keys, digest", () => {
    const k = generateSpaKeys("sha512");
    const text = `[default]\nSPA_SERVER_PORT 40000\n\n${formatFwknoprcStanza({ name: "alice", server: "vm.example", access: "tcp/22", ...k })}`;
    const rc = parseFwknoprc(text);
    expect(rc.get("alice")).toMatchObject({ SPA_SERVER: "vm.example", ACCESS: "tcp/22", ALLOW_IP: "source", USE_HMAC: "Y", HMAC_DIGEST_TYPE: "SHA512" });
    expect(rc.get("default")).toEqual({ SPA_SERVER_PORT: "40000" });
    const keys = spaKeysFromRc(rc.get("alice")!);
    expect(keys).toMatchObject({ ok: true, digest: "sha256", keys: { hmacDigest: "sha512" } });
    if (keys.ok) expect(Buffer.from(keys.keys.key).toString("base64")).toBe(k.keyBase64);
  });

  it("what fwknop --key-gen prints is one unnamed stanza", () => {
    const k = generateSpaKeys();
    const keys = spaKeysFromRc(parseFwknoprc(`KEY_BASE64: ${k.keyBase64}\nHMAC_KEY_BASE64: ${k.hmacKeyBase64}\n`).get("")!);
    expect(keys.ok && Buffer.from(keys.keys.hmacKey!).toString("base64")).toBe(k.hmacKeyBase64);
  });

  it.each([
    [{}, /no KEY/],
    [{ KEY_BASE64: "***" }, /not base64/],
    [{ KEY: "x".repeat(33) }, /longer than 32/],
    [{ KEY: "pass", USE_HMAC: "Y" }, /USE_HMAC is set but no HMAC key/],
    [{ KEY: "pass", HMAC_KEY: "h", HMAC_DIGEST_TYPE: "sha999" }, /unknown HMAC_DIGEST_TYPE/],
  ])("refuses %j", (vars, message) => {
    const r = spaKeysFromRc(vars as Record<string, string>);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
