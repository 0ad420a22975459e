import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeB64, generateSpaKeys, openSpaPacket } from "@sesame/core/spa";
import { describe, expect, it } from "vitest";
import { runSpaCli } from "./spa-cli";
import { sendSpa, type SpaSendOptions } from "./spa";

const k = generateSpaKeys();
const dir = mkdtempSync(join(tmpdir(), "spa-cli-"));
const keyFile = join(dir, "keys");
writeFileSync(keyFile, `KEY_BASE64: ${k.keyBase64}\nHMAC_KEY_BASE64: ${k.hmacKeyBase64}\n`);
const rc = join(dir, "fwknoprc");
writeFileSync(rc, `[default]\nSPA_SERVER_PORT 40001\n\n[office]\nSPA_SERVER  192.0.2.1\nACCESS  tcp/22\nALLOW_IP  source\nKEY_BASE64  ${k.keyBase64}\nHMAC_KEY_BASE64  ${k.hmacKeyBase64}\nUSE_HMAC  Y\nFW_TIMEOUT  90\n`);

async function cli(argv: string[]) {
  const sent: SpaSendOptions[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSpaCli(argv, {
    stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { LOGNAME: "tester" },
    send: async (o) => (sent.push(o), { packet: "P", address: o.host, port: o.port ?? 62201 }),
  });
  return { code, sent, out: out.join(""), err: err.join("") };
}

describe("knock --spa", () => {
  it("keys from --key-file, fwknop's -A/-a/-f/-U/-p", async () => {
    const r = await cli(["--spa", "--key-file", keyFile, "-A", "tcp/22,udp/53", "-a", "10.0.0.2", "-f", "60", "-U", "alice", "-p", "40000", "host.example"]);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.sent[0]).toMatchObject({ host: "host.example", access: "tcp/22,udp/53", allowIp: "10.0.0.2", fwTimeout: 60, username: "alice", port: 40000, digest: "sha256" });
    expect(Buffer.from(r.sent[0]!.keys.key).toString("base64")).toBe(k.keyBase64);
  });

  it("-n NAME reads the ~/.fwknoprc stanza (and [default]), as fwknop -n", async () => {
    const r = await cli(["--spa", "-n", "office", "--rc-file", rc]);
    expect(r.code).toBe(0);
    expect(r.sent[0]).toMatchObject({ host: "192.0.2.1", access: "tcp/22", allowIp: "0.0.0.0", fwTimeout: 90, port: 40001, username: "tester" });
  });

  it.each([
    [["--spa", "--key-base64-rijndael", "x", "h"], /not taken from the command line/],
    [["--spa", "-A", "tcp/22", "-s", "h"], /no KEY/],
    [["--spa", "--key-file", keyFile, "-s", "h"], /no ports to open/],
    [["--spa", "--key-file", keyFile, "-A", "tcp/22", "h"], /-a IP or -s/],
    [["--spa", "--key-file", keyFile, "-A", "tcp/22", "-a", "::1", "h"], /invalid access request/],
    [["--spa", "--key-file", keyFile, "-A", "tcp/22", "-s", "-m", "sha999", "h"], /unknown digest/],
    [["--spa", "-n", "nope", "--rc-file", rc], /no stanza \[nope\]/],
  ])("refuses %j", async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.sent).toEqual([]);
  });

  it("sendSpa -T builds a packet the server side opens, the timestamp shifted by --time-offset-*", async () => {
    const keys = { key: decodeB64(k.keyBase64)!, hmacKey: decodeB64(k.hmacKeyBase64)!, hmacDigest: "sha256" as const };
    const r = await sendSpa({ host: "127.0.0.1", access: "tcp/22", allowIp: "0.0.0.0", username: "u", keys, timeOffsetSec: -300, now: () => 1_800_000_000_000, testOnly: true });
    expect(openSpaPacket(r.packet, keys)).toMatchObject({ ok: true, fields: { timestamp: 1_800_000_000 - 300, message: "0.0.0.0,tcp/22" } });
  });
});
