import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createBed, PROTECTED_PORT, type Bed, type BedOptions } from "./testbed";
import { isNative, startDaemon, type Daemon, type DaemonKind, type DaemonOptions } from "./daemons";
import { runKnockers } from "./knocker";
import { waitForQuietMachine } from "./quiet";
import type { BenchTools } from "./tools";
import { OUT_DIR } from "./tools";

export interface BenchContext {
  quick: boolean;
  tools: BenchTools;
  daemons: DaemonKind[];
  profile: boolean;
  log(msg: string): void;
}

/**
 * Wait until the daemon opens the door for a warm-up knocker: the only
 * readiness signal both knockd and the worker share, and it warms the JIT and
 * the firewall path before anything is measured. Bounded by attempts.
 */
export async function waitReady(d: Daemon, bed: Bed, ctx: BenchContext, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // native mode: the port is open until the worker has installed its table
  for (let i = 0; i < 100 && !isProtected(bed, ctx) && Date.now() < deadline; i++) await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < bed.warmup.length - 2 && Date.now() < deadline; i++) {
    if (d.child.exitCode !== null || d.child.signalCode !== null) break;
    const [r] = await runKnockers(bed, ctx.tools, { sources: [bed.warmup[i]!], gapMs: 0, timeoutMs: 1500 });
    if (r?.ok) return;
  }
  throw new Error(`${d.kind} never opened the door for a warm-up knock\n${d.tail()}`);
}

/**
 * Knock-free check that the protected port really is closed for a stranger
 * (a benchmark that measures an open port measures nothing). Uses the last
 * warm-up address, which never knocks: one SYN to an unwatched port, then probes.
 */
export function isProtected(bed: Bed, ctx: BenchContext): boolean {
  const stranger = bed.warmup[bed.warmup.length - 1]!;
  const r = spawnSync("ip", [
    "netns", "exec", bed.net.client, ctx.tools.knockprobe,
    "--dst", bed.net.serverIp, "--seq", "6999", "--port", String(PROTECTED_PORT), "--src", stranger, "--timeout-ms", "300", "--gap-ms", "0",
  ], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 && r.stdout.includes('"ok":false');
}

export function assertProtected(bed: Bed, ctx: BenchContext): void {
  if (!isProtected(bed, ctx)) throw new Error("the protected port is open to a stranger: the bench setup is wrong");
}

/** Fresh bed + daemon, ready; always torn down. */
export async function withDaemon<T>(
  ctx: BenchContext,
  kind: DaemonKind,
  bedOpts: Omit<BedOptions, "firewall">,
  daemonOpts: DaemonOptions,
  fn: (d: Daemon, bed: Bed) => Promise<T>,
): Promise<T> {
  await waitForQuietMachine(kind, ctx.log);
  const bed = await createBed({ ...bedOpts, firewall: isNative(kind) ? "none" : "knockd-nft" });
  let d: Daemon | undefined;
  try {
    const opts = { ...daemonOpts };
    if (ctx.profile && kind !== "knockd") {
      opts.cpuProfDir = join(OUT_DIR, "profiles");
      mkdirSync(opts.cpuProfDir, { recursive: true });
    }
    d = await startDaemon(kind, bed, opts);
    await waitReady(d, bed, ctx);
    assertProtected(bed, ctx);
    return await fn(d, bed);
  } finally {
    await d?.stop();
    await bed.destroy();
  }
}
