import { spawn } from "node:child_process";
import { SEQUENCE, type Bed } from "./testbed";
import type { BenchTools } from "./tools";
import { onCleanup } from "./cleanup";

export interface FloodOptions {
  pps: number;
  /** Hard bounds: whichever comes first. */
  seconds: number;
  count?: number;
  /** Fraction of frames that are first-port SYNs (1 = pure SYN flood). */
  mix?: number;
  /** Sequential distinct sources starting at offset seqStart (pre-fill), else random. */
  sequentialSources?: boolean;
  seqStart?: number;
  /** Source space: 100.64.0.0/(32 - srcBits). */
  srcBits?: number;
  seed?: number;
  /** Destination port of the door frames (default: the first sequence port). */
  port?: number;
  /** Door frames are UDP datagrams of this many random base64 characters (SPA-sized junk) instead of SYNs. */
  udpPayload?: number;
}

export interface FloodResult {
  sent: number;
  seconds: number;
  /** Achieved rate: what the generator actually put on the wire. */
  pps: number;
  errors: number;
}

export interface FloodRun {
  done: Promise<FloodResult>;
  stop(): void;
}

/** Spoofed-source flood from the client namespace straight onto the server veth (AF_PACKET). */
export function startFlood(bed: Bed, tools: BenchTools, opts: FloodOptions): FloodRun {
  const argv = [
    "netns", "exec", bed.net.client,
    tools.pktgen,
    "--if", bed.net.clientIf,
    "--dst-mac", bed.serverMac,
    "--src-mac", bed.clientMac,
    "--dst", bed.net.serverIp,
    "--port", String(opts.port ?? SEQUENCE[0]),
    "--pps", String(opts.pps),
    "--seconds", String(opts.seconds),
    "--count", String(opts.count ?? Math.ceil(opts.pps * opts.seconds)),
    "--mix", String(opts.mix ?? 1),
    "--src-base", "100.64.0.0",
    "--src-bits", String(opts.srcBits ?? 22),
    "--seed", String(opts.seed ?? 1),
  ];
  if (opts.udpPayload) argv.push("--udp-payload", String(opts.udpPayload));
  if (opts.sequentialSources) argv.push("--seq-src", "--seq-start", String(opts.seqStart ?? 0));
  const child = spawn("ip", argv, { stdio: ["ignore", "pipe", "pipe"] });
  const unregister = onCleanup("pktgen", () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<FloodResult>((resolve, reject) => {
    child.once("close", (code) => {
      void unregister();
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`pktgen exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(line) as FloodResult);
    });
  });
  return { done, stop: () => void (child.exitCode === null && child.kill("SIGTERM")) };
}

/** Run a flood to completion. */
export async function runFlood(bed: Bed, tools: BenchTools, opts: FloodOptions): Promise<FloodResult> {
  return startFlood(bed, tools, opts).done;
}
