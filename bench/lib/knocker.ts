import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { SEQUENCE, PROTECTED_PORT, type Bed } from "./testbed";
import type { BenchTools } from "./tools";
import { onCleanup } from "./cleanup";

export interface KnockResult {
  src: string;
  ok: boolean;
  /** Client-side knock-to-handshake time in ms (null when it never opened). */
  latencyMs: number | null;
  probes: number;
}

export interface KnockOptions {
  sources: string[];
  /** Start knocker i at i * gapMs (they may overlap). */
  gapMs: number;
  /** Give up on a knocker this long after its last knock. */
  timeoutMs: number;
  /** Add a random 0..jitterMs to each start (decorrelates knocks from the daemon's timers). */
  jitterMs?: number;
  /** Probe interval: a new connect() to the protected port this often. */
  intervalUs?: number;
  /** SPA instead of the sequence: `file` holds one datagram per source (line i for sources[i]), sent to `port`. */
  spa?: { file: string; port: number };
}

export interface KnockRun {
  done: Promise<KnockResult[]>;
  stop(): void;
}

/** Run knockprobe in the client namespace; results arrive as it finishes each knocker. */
export function startKnockers(bed: Bed, tools: BenchTools, opts: KnockOptions): KnockRun {
  const argv = [
    "netns", "exec", bed.net.client, tools.knockprobe,
    "--dst", bed.net.serverIp,
    ...(opts.spa ? ["--spa-file", opts.spa.file, "--spa-port", String(opts.spa.port)] : ["--seq", SEQUENCE.join(",")]),
    "--port", String(PROTECTED_PORT),
    "--src", opts.sources.join(","),
    "--gap-ms", String(opts.gapMs),
    "--timeout-ms", String(opts.timeoutMs),
    "--interval-us", String(opts.intervalUs ?? 200),
    "--jitter-ms", String(opts.jitterMs ?? 0),
  ];
  const child = spawn("ip", argv, { stdio: ["ignore", "pipe", "pipe"] });
  const unregister = onCleanup("knockprobe", () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  const results: KnockResult[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const r = JSON.parse(line) as { src: string; ok: boolean; latencyUs: number | null; probes: number };
    results.push({ src: r.src, ok: r.ok, latencyMs: r.latencyUs === null ? null : r.latencyUs / 1000, probes: r.probes });
  });
  const done = new Promise<KnockResult[]>((resolve, reject) => {
    // "close" fires after stdout has ended, so every result line is in
    child.once("close", (code) => {
      void unregister();
      if (code !== 0 && code !== null) reject(new Error(`knockprobe exited ${code}: ${stderr.trim()}`));
      else resolve(results);
    });
  });
  return { done, stop: () => void (child.exitCode === null && child.kill("SIGTERM")) };
}

/** Run knockers to completion. */
export async function runKnockers(bed: Bed, tools: BenchTools, opts: KnockOptions): Promise<KnockResult[]> {
  return startKnockers(bed, tools, opts).done;
}
