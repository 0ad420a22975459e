import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run argv (no shell), optionally inside network namespace `ns`. Never throws on a non-zero exit. */
export async function run(argv: string[], opts: { ns?: string; timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  const full = opts.ns ? ["ip", "netns", "exec", opts.ns, ...argv] : argv;
  return new Promise((resolve) => {
    const child = execFile(full[0]!, full.slice(1), { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like run() but throws with the command's stderr when it fails. */
export async function must(argv: string[], opts: { ns?: string; timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} (ns ${opts.ns ?? "root"}) exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Spawn a long-running process inside `ns`; the caller stops it by PID (stopProcess). */
export function spawnIn(ns: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn("ip", ["netns", "exec", ns, ...argv], { env, stdio: ["ignore", "pipe", "pipe"] });
}

/** SIGTERM then (after graceMs) SIGKILL one process we started; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

let counter = 0;

export interface TestNet {
  /** Namespace names. */
  server: string;
  client: string;
  /** veth interface names inside each namespace. */
  serverIf: string;
  clientIf: string;
  serverIp: string;
  clientIp: string;
  serverIp6: string;
  clientIp6: string;
  /** Extra client source addresses (IPv4), when asked for. */
  clientExtraIps: string[];
  /** 10.R.x.y prefix used, so parallel nets don't collide. */
  subnet: string;
  destroy(): Promise<void>;
}

/**
 * Create two fresh network namespaces joined by a veth pair: `server`
 * (where the worker and the protected service run) and `client` (which
 * knocks). Addresses are private to these namespaces; nothing touches the
 * root namespace's firewall. Call destroy() in afterAll.
 */
export async function createTestNet(opts: { extraClientIps?: number; tag?: string } = {}): Promise<TestNet> {
  const n = (process.pid % 200) + 20 + (counter++ % 30);
  const tag = `${opts.tag ?? "ss"}${process.pid % 10000}${counter}`.slice(0, 10);
  const server = `${tag}-s`;
  const client = `${tag}-c`;
  const serverIf = "veth-s";
  const clientIf = "veth-c";
  const hostS = `${tag}a`.slice(0, 15);
  const hostC = `${tag}b`.slice(0, 15);
  const subnet = `10.${n}`;
  const net: TestNet = {
    server, client, serverIf, clientIf,
    serverIp: `${subnet}.0.1`,
    clientIp: `${subnet}.0.2`,
    serverIp6: `fd00:${n}::1`,
    clientIp6: `fd00:${n}::2`,
    clientExtraIps: [],
    subnet,
    destroy: async () => {
      await run(["ip", "netns", "del", server]);
      await run(["ip", "netns", "del", client]);
    },
  };
  try {
    await must(["ip", "netns", "add", server]);
    await must(["ip", "netns", "add", client]);
    await must(["ip", "link", "add", hostS, "type", "veth", "peer", "name", hostC]);
    await must(["ip", "link", "set", hostS, "netns", server]);
    await must(["ip", "link", "set", hostC, "netns", client]);
    await must(["ip", "link", "set", hostS, "name", serverIf], { ns: server });
    await must(["ip", "link", "set", hostC, "name", clientIf], { ns: client });
    for (const [ns, ifn, ip4, ip6] of [
      [server, serverIf, net.serverIp, net.serverIp6],
      [client, clientIf, net.clientIp, net.clientIp6],
    ] as const) {
      await must(["ip", "link", "set", "lo", "up"], { ns });
      await must(["ip", "addr", "add", `${ip4}/16`, "dev", ifn], { ns });
      await must(["ip", "-6", "addr", "add", `${ip6}/64`, "dev", ifn, "nodad"], { ns });
      await must(["ip", "link", "set", ifn, "up"], { ns });
    }
    const extra = opts.extraClientIps ?? 0;
    if (extra > 0) {
      // One batch call: `ip -batch` keeps adding hundreds of addresses fast.
      const lines: string[] = [];
      for (let i = 0; i < extra; i++) {
        const ip = `${subnet}.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`;
        net.clientExtraIps.push(ip);
        lines.push(`addr add ${ip}/16 dev ${clientIf}`);
      }
      await must(["ip", "-batch", "-"], { ns: client, input: lines.join("\n") + "\n" });
    }
    return net;
  } catch (err) {
    await net.destroy();
    throw err;
  }
}

/** Namespaces left behind by an earlier crashed run of ours (same tag prefix). */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await execFileP("ip", ["netns", "list"]);
  return stdout.split("\n").map((l) => l.split(" ")[0]!).filter(Boolean);
}
