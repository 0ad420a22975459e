import { describe, expect, it } from "vitest";
import { encodeBase32, totpCodeAt, totpStepAt } from "@sesame/core";
import type { KnockOptions } from "./knock";
import { runSesameCli, type SesameIo } from "./sesame-cli";
import { parseTotpKnockArgs } from "./totp-args";

const SECRET = encodeBase32(new TextEncoder().encode("12345678901234567890"));
// RFC 6238's T = 1111111111 s: the 6-digit code is 050471.
const NOW = 1111111111_000;

async function run(argv: string[], over: Partial<SesameIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: KnockOptions[] = [];
  const code = await runSesameCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    now: () => NOW,
    knock: async (o) => void calls.push(o),
    ...over,
  });
  return { code, stdout: out.join(""), stderr: err.join(""), calls };
}

describe("sesame knock", () => {
  it("turns a code into the window's sequence, prints the knock command and sends it", async () => {
    const r = await run(["knock", "srv.example", "--totp", "123456"]);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: "knock srv.example 40956:udp 44561 45612:udp 48623\n" });
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({
      host: "srv.example",
      delayMs: 0,
      steps: [{ port: 40956, protocol: "udp" }, { port: 44561, protocol: "tcp" }, { port: 45612, protocol: "udp" }, { port: 48623, protocol: "tcp" }],
    });
  });

  it("--dry-run only prints; the site's range, length, protocols and -d/-6 are followed", async () => {
    const r = await run(["knock", "-n", "--range", "20000-21199", "--length", "6", "--protocols", "tcp", "-d", "200", "-6", "2001:db8::1", "--totp", "123456"]);
    expect(r).toMatchObject({ code: 0, stdout: "knock -d 200 -6 2001:db8::1 20056 20361 20412 20723 20834 21145\n", calls: [] });
  });

  it.each([
    ["from $SESAME_TOTP_SECRET", ["knock", "-n", "h"], { env: { SESAME_TOTP_SECRET: SECRET } }],
    ["from --secret-file (lower case, spaced, newline)", ["knock", "-n", "h", "--secret-file", "/s"], { readFile: () => SECRET.toLowerCase().replace(/(.{4})/g, "$1 ") + "\n" }],
  ])("computes the current code %s", async (_n, argv, over) => {
    const r = await run(argv, over);
    expect(totpCodeAt(new TextEncoder().encode("12345678901234567890"), totpStepAt(NOW))).toBe("050471");
    const expected = await run(["knock", "-n", "h", "--totp", "050471"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe(expected.stdout);
  });

  it.each([
    [["knock", "h", "--totp", "12345"], "sesame knock: '12345' is not a 6-digit code"],
    [["knock", "h", "--secret", SECRET], "sesame knock: the secret is never given on the command line (every user sees it in ps): use --secret-file or $SESAME_TOTP_SECRET"],
    [["knock", "h"], "sesame knock: no code: give --totp CODE, --secret-file FILE or set $SESAME_TOTP_SECRET"],
    [["knock", "h", "7000", "--totp", "123456"], "sesame knock: unexpected argument '7000' (the ports come from the code)"],
    [["knock", "--totp", "123456"], "sesame knock: missing host"],
    [["knock", "h", "--totp", "123456", "--range", "40000-40100"], "sesame knock: The port range must hold at least 100 ports per knock (400 for 4 knocks)."],
    [["knock", "h", "--totp", "123456", "--protocols", "sctp"], "sesame knock: Protocols must be tcp, udp or mix."],
    [["knock", "h", "--totp", "123456", "--length", "three"], "sesame knock: --length 'three' is not a whole number"],
    [["knock", "h", "--totp", "123456", "--secret-file", "/s"], "sesame knock: give --totp or --secret-file, not both"],
    [["open", "h"], "sesame: unknown command 'open'"],
  ])("%j fails before sending: %s", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(message);
    expect(r.calls).toEqual([]);
  });

  it("a secret that is not base32 is named, not echoed", async () => {
    const r = await run(["knock", "h"], { env: { SESAME_TOTP_SECRET: "NOT-BASE32-1" } });
    expect(r.stderr).toBe('sesame knock: the secret is not base32: "1" is not a base32 character (A-Z, 2-7)\n');
  });

  it("a failed knock is an error", async () => {
    const r = await run(["knock", "h", "--totp", "123456"], { knock: async () => { throw new Error("cannot resolve host 'h'"); } });
    expect(r).toMatchObject({ code: 1, stderr: "sesame knock: cannot resolve host 'h'\n" });
  });

  it("--help prints the usage", async () => {
    const r = await run(["knock", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--totp <code>");
    expect(parseTotpKnockArgs(["-h"])).toEqual({ ok: true, command: "help" });
  });
});
