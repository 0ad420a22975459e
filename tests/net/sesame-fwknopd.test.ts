import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSpaKeys } from "@sesame/core/spa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, must, spawnIn, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { REPO, escapeIp } from "./worker-harness";

// bin/sesame-fwknopd as a drop-in: fwknopd's command line, its own
// fwknopd.conf and access.conf in a temp dir, Debian's fwknop 2.6.10 client
// in the client namespace, enforcement by the worker's nftables table in the
// server namespace. Log lines are fwknopd's.

const BIN = join(REPO, "apps/worker/bin/sesame-fwknopd.js");
const k = generateSpaKeys();
let net: TestNet;
let dir: string;
let service: ChildProcess | undefined;
let daemon: ChildProcess | undefined;
let lines: string[] = [];

async function startDaemon(): Promise<void> {
  lines = [];
  daemon = spawnIn(net.server, ["node", BIN, "-f", "-i", net.serverIf, "-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf"), "-d", join(dir, "digest.cache"), "--db", join(dir, "sesame.db"), "-v"]);
  const onData = (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean));
  daemon.stdout?.on("data", onData);
  daemon.stderr?.on("data", onData);
  if (!(await waitFor(() => lines.some((l) => l.startsWith(`listening on ${net.serverIf}`)), 15_000, 100))) throw new Error(`sesame-fwknopd did not start:\n${lines.join("\n")}`);
}

async function fwknop(args: string[]): Promise<string> {
  const rc = join(dir, "fwknoprc");
  writeFileSync(rc, `[s]\nKEY_BASE64 ${k.keyBase64}\nHMAC_KEY_BASE64 ${k.hmacKeyBase64}\nUSE_HMAC Y\n`, { mode: 0o600 });
  await must(["fwknop", "--rc-file", rc, "-n", "s", "--no-save-args", "-D", net.serverIp, "-B", join(dir, "pkt"), ...args], { ns: net.client, timeoutMs: 20_000 });
  return readFileSync(join(dir, "pkt"), "utf8").trim();
}

async function resend(payload: string): Promise<void> {
  const js = `const s=require("node:dgram").createSocket("udp4");s.send(process.argv[1],62201,process.argv[2],()=>s.close());`;
  await must(["node", "-e", js, payload, net.serverIp], { ns: net.client });
}

const logged = (re: RegExp, ms = 5000) => waitFor(() => lines.some((l) => re.test(l)), ms, 100);

beforeAll(async () => {
  net = await createTestNet({ tag: "sfwk", extraClientIps: 1 });
  dir = mkdtempSync(join(tmpdir(), "sesame-fwknopd-dropin-"));
  writeFileSync(join(dir, "fwknopd.conf"), "# fwknopd.conf\nPCAP_INTF eth9\nMAX_SPA_PACKET_AGE 120\nENABLE_DIGEST_PERSISTENCE Y\n", { mode: 0o600 });
  writeFileSync(join(dir, "access.conf"), `SOURCE ANY\nOPEN_PORTS tcp/2222\nKEY_BASE64 ${k.keyBase64}\nHMAC_KEY_BASE64 ${k.hmacKeyBase64}\nFW_ACCESS_TIMEOUT 30\nREQUIRE_SOURCE_ADDRESS Y\n`, { mode: 0o600 });
  service = await startEchoService(net.server, [2222]);
  await startDaemon();
});

afterAll(async () => {
  if (daemon) await stopProcess(daemon, 5000);
  if (service) await stopProcess(service);
  await net?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("sesame-fwknopd (fwknopd's command line and files) ← Debian's fwknop client", () => {
  let sent = "";

  it("OPEN_PORTS are protected from the start", async () => {
    expect(await tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800 })).toBe(false);
  });

  it("one packet opens tcp/2222 for the -a address only, logged as fwknopd logs it", async () => {
    sent = await fwknop(["-A", "tcp/2222", "-a", net.clientIp]);
    expect(await logged(new RegExp(`^Added access rule to sesame for ${escapeIp(net.clientIp)} -> 0\\.0\\.0\\.0/0 tcp/2222, expires at \\d+$`))).toBe(true);
    expect(lines).toContain(`(stanza #1) SPA Packet from IP: ${net.clientIp} received with access source match`);
    expect(await waitFor(() => tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800 }), 3000, 100)).toBe(true);
    expect(await tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800, localAddress: net.clientExtraIps[0] })).toBe(false);
  });

  it("REQUIRE_SOURCE_ADDRESS refuses -s; a stale timestamp is refused with fwknopd's words", async () => {
    await fwknop(["-A", "tcp/2222", "-s"]);
    expect(await logged(new RegExp(`^\\[${escapeIp(net.clientIp)}\\] \\(stanza #1\\) Got 0\\.0\\.0\\.0 when valid source IP was required\\.$`))).toBe(true);
    await fwknop(["-A", "tcp/2222", "-a", net.clientIp, "--time-offset-minus", "10m"]);
    expect(await logged(/\(stanza #1\) SPA data time difference is too great \(6\d\d seconds\)\.$/)).toBe(true);
  });

  it("the captured packet resent is a replay, also after a restart", async () => {
    await resend(sent);
    expect(await logged(new RegExp(`Replay detected from source IP: ${escapeIp(net.clientIp)}`))).toBe(true);
    await stopProcess(daemon!, 5000);
    await startDaemon();
    await resend(sent);
    expect(await logged(new RegExp(`Replay detected from source IP: ${escapeIp(net.clientIp)}`))).toBe(true);
  });
});
