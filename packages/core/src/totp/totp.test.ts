import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32 } from "./base32";
import { hmacSha1, sha1 } from "./hmac-sha1";
import { hotp, otpauthUri, totpCodeAt, totpStepAt, totpStepStart } from "./totp";
import { totpAcceptedUntil, totpReplayKey, totpWindowsAt } from "./windows";
import { DEFAULT_TOTP_SETTINGS } from "./sequence";

const RFC_SECRET = new TextEncoder().encode("12345678901234567890");

describe("HOTP (RFC 4226 appendix D)", () => {
  it.each([
    [0, "755224"], [1, "287082"], [2, "359152"], [3, "969429"], [4, "338314"],
    [5, "254676"], [6, "287922"], [7, "162583"], [8, "399871"], [9, "520489"],
  ])("counter %i → %s", (counter, code) => {
    expect(hotp(RFC_SECRET, counter)).toBe(code);
  });

  it("refuses a negative or fractional counter", () => {
    expect(() => hotp(RFC_SECRET, -1)).toThrow(RangeError);
    expect(() => hotp(RFC_SECRET, 1.5)).toThrow(RangeError);
  });
});

describe("TOTP (RFC 6238 appendix B, SHA1)", () => {
  it.each([
    [59, "94287082"], [1111111109, "07081804"], [1111111111, "14050471"],
    [1234567890, "89005924"], [2000000000, "69279037"], [20000000000, "65353130"],
  ])("T = %i s → %s (8 digits), its last 6 with 6", (sec, code8) => {
    const step = totpStepAt(sec * 1000);
    expect(totpCodeAt(RFC_SECRET, step, 8)).toBe(code8);
    expect(totpCodeAt(RFC_SECRET, step)).toBe(code8.slice(2));
  });

  it("steps are 30 s from the epoch", () => {
    expect(totpStepAt(0)).toBe(0);
    expect(totpStepAt(29_999)).toBe(0);
    expect(totpStepAt(30_000)).toBe(1);
    expect(totpStepStart(37_037_037)).toBe(1_111_111_110_000);
  });
});

describe("SHA-1 and HMAC-SHA1 agree with node:crypto", () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])("%i bytes", (n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    expect(hex(sha1(data))).toBe(createHash("sha1").update(data).digest("hex"));
    for (const keyLen of [0, 20, 64, 65, 100]) {
      const key = Uint8Array.from({ length: keyLen }, (_, i) => (i * 13 + 1) & 0xff);
      expect(hex(hmacSha1(key, data))).toBe(createHmac("sha1", key).update(data).digest("hex"));
    }
  });

  it('SHA-1("abc") (FIPS 180 example)', () => {
    expect(hex(sha1(new TextEncoder().encode("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
});

describe("base32 (RFC 4648 §10)", () => {
  it.each([
    ["", ""], ["f", "MY"], ["fo", "MZXQ"], ["foo", "MZXW6"], ["foob", "MZXW6YQ"], ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI"],
  ])('"%s" ↔ %s', (plain, b32) => {
    const bytes = new TextEncoder().encode(plain);
    expect(encodeBase32(bytes)).toBe(b32);
    expect(decodeBase32(b32)).toEqual({ ok: true, bytes });
  });

  it("decoding tolerates case, spaces, dashes and padding", () => {
    expect(decodeBase32("mzxw 6ytb-oi======")).toEqual({ ok: true, bytes: new TextEncoder().encode("foobar") });
  });

  it("decoding names a character outside the alphabet", () => {
    expect(decodeBase32("MZXW1")).toEqual({ ok: false, reason: '"1" is not a base32 character (A-Z, 2-7)' });
  });

  it("round-trips 20 random-looking bytes", () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => (i * 97 + 3) & 0xff);
    const r = decodeBase32(encodeBase32(bytes));
    expect(r.ok && Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("otpauth URI", () => {
  it.each([
    ["alice", "otpauth://totp/Sesame:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sesame"],
    ["bob smith", "otpauth://totp/Sesame:bob%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sesame"],
  ])("%s", (user, uri) => {
    expect(otpauthUri({ user, secretBase32: encodeBase32(RFC_SECRET) })).toBe(uri);
  });
});

describe("windows", () => {
  it("the previous, current and next step, each with its code's sequence", () => {
    const now = 1111111111_000;
    const w = totpWindowsAt(RFC_SECRET, now, DEFAULT_TOTP_SETTINGS);
    expect(w.map((x) => x.step)).toEqual([37037036, 37037037, 37037038]);
    expect(w[1]?.code).toBe("050471");
    expect(w.every((x) => x.sequence.length === DEFAULT_TOTP_SETTINGS.length)).toBe(true);
  });

  it("a step's replay key is kept until the step stops being accepted (as the previous window)", () => {
    expect(totpReplayKey(7, 37037037)).toBe("totp:7:37037037");
    expect(totpAcceptedUntil(10)).toBe(totpStepStart(12));
  });
});
