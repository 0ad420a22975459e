import { spawn, type ChildProcess } from "node:child_process";
import { startListener } from "./listener";
import { stopProcess } from "./netns";

/** Start a TCP echo service on `ports` in `ns` (for sessions that must outlive a revoke). Stop it with stopProcess(). */
export async function startEchoService(ns: string, ports: number[]): Promise<ChildProcess> {
  return startListener(ns, ports, "c.pipe(c);", "echo service");
}

const SESSION = `
const net = require("node:net");
const [host, port, local] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), localAddress: local || undefined });
s.on("connect", () => process.stdout.write("connected\\n"));
s.on("data", (d) => process.stdout.write(d));
s.on("error", (e) => { process.stdout.write("error " + (e.code || e.message) + "\\n"); process.exit(1); });
s.on("close", () => { process.stdout.write("closed\\n"); process.exit(0); });
process.stdin.on("data", (d) => s.write(d));
process.stdin.on("end", () => s.end());
`;

/** A TCP connection held open by a helper process in the client namespace. */
export interface TcpSession {
  /** Send one line; true when the echo service's reply came back within timeoutMs. */
  exchange(line: string, timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Open a TCP connection from `ns` to host:port and keep it open, so a test
 * can check that an established session keeps working after the firewall
 * changes (e.g. its grant is revoked). Rejects when the handshake fails.
 */
export async function openTcpSession(ns: string, host: string, port: number, opts: { timeoutMs?: number; localAddress?: string } = {}): Promise<TcpSession> {
  // spawnIn() ignores stdin; the session reads the lines to send from it.
  const child = spawn("ip", ["netns", "exec", ns, "node", "-e", SESSION, host, String(port), opts.localAddress ?? ""], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.on("error", () => undefined);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  const waitOutput = async (needle: string, from: number, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    // Bounded poll: at most timeoutMs / 20 iterations.
    while (Date.now() < deadline) {
      if (out.indexOf(needle, from) >= 0) return true;
      if (child.exitCode !== null) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return out.indexOf(needle, from) >= 0;
  };
  if (!(await waitOutput("connected\n", 0, opts.timeoutMs ?? 3000))) {
    await stopProcess(child, 500);
    throw new Error(`session to ${host}:${port} did not connect: ${out.trim() || "timeout"}`);
  }
  return {
    async exchange(line, timeoutMs = 2000) {
      const from = out.length;
      child.stdin.write(`${line}\n`);
      return waitOutput(`${line}\n`, from, timeoutMs);
    },
    async close() {
      await stopProcess(child, 500);
    },
  };
}
