import type { ChildProcess } from "node:child_process";
import { startListener } from "./listener";
import { run } from "./netns";

const CONNECT_PROBE = `
const net = require("node:net");
const [host, port, timeout, local] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), localAddress: local || undefined });
const t = setTimeout(() => { s.destroy(); process.stdout.write("timeout"); process.exit(2); }, Number(timeout));
s.on("connect", () => { clearTimeout(t); process.stdout.write("connected"); s.destroy(); process.exit(0); });
s.on("error", (e) => { clearTimeout(t); process.stdout.write(e.code || "error"); process.exit(1); });
`;

/**
 * A real TCP handshake from namespace `ns` to host:port. True when the
 * three-way handshake completes within timeoutMs (a dropped SYN times out).
 */
export async function tcpConnects(ns: string, host: string, port: number, opts: { timeoutMs?: number; localAddress?: string } = {}): Promise<boolean> {
  const r = await run(["node", "-e", CONNECT_PROBE, host, String(port), String(opts.timeoutMs ?? 1500), opts.localAddress ?? ""], { ns, timeoutMs: (opts.timeoutMs ?? 1500) + 5000 });
  return r.code === 0 && r.stdout === "connected";
}

/** Start a TCP service on `ports` in `ns` (the "protected" service). Stop it with stopProcess(). */
export async function startTcpService(ns: string, ports: number[]): Promise<ChildProcess> {
  return startListener(ns, ports, `c.end("sesame-test\\n");`, "tcp service");
}

/** Poll `check` every intervalMs until it is true or timeoutMs passes (bounded). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}
