import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSpaKeys } from "@sesame/core/spa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNet, must, run, spawnIn, startEchoService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { REPO } from "./worker-harness";

// Sesame's SPA client against Debian's real fwknopd 2.6.10: fwknopd runs in
// the server namespace with its own fwknopd.conf/access.conf in a temp dir
// and its iptables rules inside that namespace only (a DROP on the
// protected ports set up by the test, fwknopd's FWKNOP_INPUT chain in
// front of it). The client in the client namespace sends one packet; the
// TCP connect must then get through, from that address only.

const KNOCK_BIN = join(REPO, "packages/knock/bin/knock.js");
const k256 = generateSpaKeys("sha256");
const k512 = generateSpaKeys("sha512");

let net: TestNet;
let dir: string;
let fwknopd: ChildProcess | undefined;
let service: ChildProcess | undefined;
let log = "";

function keyFile(name: string, k: { keyBase64: string; hmacKeyBase64: string }): string {
  const p = join(dir, name);
  writeFileSync(p, `KEY_BASE64: ${k.keyBase64}\nHMAC_KEY_BASE64: ${k.hmacKeyBase64}\n`, { mode: 0o600 });
  return p;
}

async function spa(args: string[]): Promise<void> {
  await must(["node", KNOCK_BIN, "--spa", ...args, net.serverIp], { ns: net.client, timeoutMs: 20_000 });
}

beforeAll(async () => {
  net = await createTestNet({ tag: "spaf", extraClientIps: 1 });
  dir = mkdtempSync(join(tmpdir(), "sesame-fwknopd-"));
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, "fwknopd.conf"), `PCAP_INTF ${net.serverIf}\nFWKNOP_RUN_DIR ${dir}\nDIGEST_FILE ${dir}/digest.cache\nFWKNOP_PID_FILE ${dir}/fwknopd.pid\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, "access.conf"),
    `SOURCE ANY\nOPEN_PORTS tcp/2222\nKEY_BASE64 ${k256.keyBase64}\nHMAC_KEY_BASE64 ${k256.hmacKeyBase64}\nREQUIRE_SOURCE_ADDRESS Y\n\n` +
      `SOURCE ANY\nOPEN_PORTS tcp/2223\nKEY_BASE64 ${k512.keyBase64}\nHMAC_KEY_BASE64 ${k512.hmacKeyBase64}\nHMAC_DIGEST_TYPE sha512\n`,
    { mode: 0o600 },
  );
  for (const port of [2222, 2223]) await must(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", String(port), "-j", "DROP"], { ns: net.server });
  service = await startEchoService(net.server, [2222, 2223]);
  fwknopd = spawnIn(net.server, ["fwknopd", "-f", "-i", net.serverIf, "-c", join(dir, "fwknopd.conf"), "-a", join(dir, "access.conf"), "-d", join(dir, "digest.cache"), "-p", join(dir, "fwknopd.pid"), "-v"]);
  fwknopd.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  fwknopd.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const started = await waitFor(() => log.includes("Starting fwknopd main event loop"), 15_000, 100);
  if (!started) throw new Error(`fwknopd did not start:\n${log}`);
});

afterAll(async () => {
  if (fwknopd) await stopProcess(fwknopd, 8000);
  if (service) await stopProcess(service);
  await net?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fwLog = () => log;

describe("Sesame's SPA client → Debian's fwknopd", () => {
  it("tcp/2222 is closed before any packet", async () => {
    expect(await tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800 })).toBe(false);
  });

  it("one packet (-a, -f 30, SHA-256 HMAC) opens tcp/2222 for the client's address only", async () => {
    await spa(["--key-file", keyFile("k256", k256), "-A", "tcp/2222", "-a", net.clientIp, "-f", "30", "-U", "alice"]);
    expect(await waitFor(() => tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800 }), 8000, 200)).toBe(true);
    expect(await tcpConnects(net.client, net.serverIp, 2222, { timeoutMs: 800, localAddress: net.clientExtraIps[0] })).toBe(false);
    expect(fwLog()).toMatch(new RegExp(`Added access rule to FWKNOP_INPUT for ${net.clientIp.replace(/\./g, "\\.")} -> 0\\.0\\.0\\.0/0 tcp/2222`));
    expect(fwLog()).toMatch(/Username: alice/);
    expect(fwLog()).toMatch(/Client Timeout: 30/);
  });

  it("a SHA-512 HMAC stanza opens tcp/2223; the wrong HMAC key opens nothing", async () => {
    await spa(["--key-file", keyFile("k256-for-2223", k256), "-A", "tcp/2223", "-a", net.clientIp, "--hmac-digest-type", "sha512"]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await tcpConnects(net.client, net.serverIp, 2223, { timeoutMs: 800 })).toBe(false);
    await spa(["--key-file", keyFile("k512", k512), "--hmac-digest-type", "sha512", "-A", "tcp/2223", "-a", net.clientIp]);
    expect(await waitFor(() => tcpConnects(net.client, net.serverIp, 2223, { timeoutMs: 800 }), 8000, 200)).toBe(true);
  });

  it("the rules are fwknopd's, in the server namespace only", async () => {
    const rules = await must(["iptables", "-S", "FWKNOP_INPUT"], { ns: net.server });
    expect(rules).toMatch(/--dport 2222/);
    const root = await run(["iptables", "-S", "FWKNOP_INPUT"]);
    expect(root.code).not.toBe(0);
  });
});
