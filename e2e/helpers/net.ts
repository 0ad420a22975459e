import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createTestNet, run, spawnIn, startTcpService, stopProcess, tcpConnects, waitFor, type TestNet } from "@sesame/testkit";
import { testDb } from "./db";
import { DB_PATH, REPO_ROOT } from "./env";

export const PROTECTED_PORT = 2222;

export interface Lab {
  net: TestNet;
  worker: ChildProcess;
  service: ChildProcess;
  /** Everything the worker printed (knockd-style lines), for failure messages. */
  output: () => string;
  /** The worker's stdout lines with the time each arrived here (Date.now()), for latency figures. */
  lines: { at: number; text: string }[];
  knock: (ports: string[]) => Promise<void>;
  /** Knock from each of these client addresses at once (net.clientExtraIps), with the knock library. */
  knockFrom: (ports: string[], from: string[]) => Promise<void>;
  connects: () => Promise<boolean>;
  stop: () => Promise<void>;
}

/**
 * Two fresh namespaces: the real worker (pcap + nftables) and a TCP service
 * in `server`, the knock client in `client`. The web server stays in the
 * root namespace; worker and web share the e2e database file.
 */
export async function startLab(opts: { extraClientIps?: number; tag?: string } = {}): Promise<Lab> {
  const net = await createTestNet({ tag: opts.tag ?? "e2e", extraClientIps: opts.extraClientIps });
  const lines: { at: number; text: string }[] = [];
  let partial = "";
  let service: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let out = "";
  try {
    service = await startTcpService(net.server, [PROTECTED_PORT]);
    worker = spawnIn(net.server, [
      process.execPath,
      join(REPO_ROOT, "apps/worker/bin/sesame-worker.js"),
      "--db",
      DB_PATH,
      "-i",
      net.serverIf,
      "--heartbeat-ms",
      "250",
      "-v",
    ]);
    worker.stdout!.on("data", (d: Buffer) => {
      const at = Date.now();
      out += d.toString();
      const parts = (partial + d.toString()).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) lines.push({ at, text });
    });
    worker.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const startedAt = Date.now();
    const up = await waitFor(() => {
      const row = testDb().$client.prepare("SELECT heartbeat_at AS h, pid FROM worker_status WHERE id = 1").get() as { h: number } | undefined;
      return !!row && row.h >= startedAt && worker!.exitCode === null;
    }, 20_000, 100);
    if (!up) throw new Error(`worker did not start:\n${out}`);
  } catch (e) {
    if (worker) await stopProcess(worker);
    if (service) await stopProcess(service);
    await net.destroy();
    throw e;
  }
  const w = worker;
  const s = service;
  return {
    net,
    worker: w,
    service: s,
    output: () => out,
    lines,
    knockFrom: async (ports, from) => {
      const steps = ports.map((p) => {
        const [port, protocol] = p.split(":");
        return { port: Number(port), protocol: protocol === "udp" ? "udp" : "tcp" };
      });
      const lanes = from.map((ip) => [{ host: net.serverIp, steps, localAddress: ip }]);
      const r = await run([process.execPath, "--import", "tsx", join(REPO_ROOT, "tests/net/fixtures/knock.ts"), JSON.stringify(lanes)], { ns: net.client });
      if (r.code !== 0) throw new Error(`knock failed: ${r.stderr}`);
    },
    knock: async (ports) => {
      const r = await run([process.execPath, join(REPO_ROOT, "packages/knock/bin/knock.js"), net.serverIp, ...ports], { ns: net.client });
      if (r.code !== 0) throw new Error(`knock failed: ${r.stderr}`);
    },
    connects: () => {
      // A dead service would make every "connect fails" check pass for the wrong reason.
      if (s.exitCode !== null || s.signalCode !== null) throw new Error("the protected TCP service died");
      return tcpConnects(net.client, net.serverIp, PROTECTED_PORT, { timeoutMs: 700 });
    },
    stop: async () => {
      await stopProcess(w);
      await stopProcess(s);
      await net.destroy();
    },
  };
}

/** Poll the TCP check until it gives `expected` (bounded). */
export async function expectConnect(lab: Lab, expected: boolean, timeoutMs = 6000): Promise<boolean> {
  return waitFor(async () => (await lab.connects()) === expected, timeoutMs, 100);
}
