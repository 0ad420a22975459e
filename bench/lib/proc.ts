import { readFileSync, readdirSync } from "node:fs";

/** Kernel clock ticks per second for /proc/PID/stat (CLK_TCK; 100 on Linux x86-64). */
const CLK_TCK = 100;

export interface ProcCpu {
  /** utime+stime of the process itself, seconds. */
  self: number;
  /** cutime+cstime: children it has waited for (e.g. knockd's `sh -c`, the worker's nft runs). */
  children: number;
}

function readStatFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may contain spaces: fields start after the last ')'
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds of one process (self and reaped children), or undefined when it is gone. */
export function readProcCpu(pid: number): ProcCpu | undefined {
  const f = readStatFields(pid);
  if (!f) return undefined;
  // after ')': state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
  return {
    self: (Number(f[11]) + Number(f[12])) / CLK_TCK,
    children: (Number(f[13]) + Number(f[14])) / CLK_TCK,
  };
}

/** PIDs of live descendants of `pid` (one /proc scan). */
export function listDescendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = readStatFields(Number(name));
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const out: number[] = [];
  const frontier = [pid];
  for (let guard = 0; frontier.length > 0 && guard < 10_000; guard++) {
    const p = frontier.pop()!;
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/**
 * Total CPU seconds of a daemon: itself, children it reaped, and live
 * descendants (a forked command still running counts too).
 */
export function readTreeCpuSeconds(pid: number): number | undefined {
  const own = readProcCpu(pid);
  if (!own) return undefined;
  let total = own.self + own.children;
  for (const d of listDescendants(pid)) {
    const c = readProcCpu(d);
    if (c) total += c.self + c.children;
  }
  return total;
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM), or undefined. */
export function readStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  t: number;
  rssKb: number;
}

/** Samples VmRSS of `pid` every intervalMs (bounded to maxSamples) until stopped. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number, private readonly intervalMs = 50, private readonly maxSamples = 200_000) {}

  start(): this {
    this.sampleOnce();
    this.timer = setInterval(() => this.sampleOnce(), this.intervalMs);
    return this;
  }

  sampleOnce(): number | undefined {
    const rss = readStatusKb(this.pid, "VmRSS");
    if (rss !== undefined && this.samples.length < this.maxSamples) this.samples.push({ t: Date.now(), rssKb: rss });
    return rss;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Peak sampled RSS in MB since `sinceMs` (all samples when omitted). */
  peakMb(sinceMs = 0): number | undefined {
    let peak: number | undefined;
    for (const s of this.samples) if (s.t >= sinceMs && (peak === undefined || s.rssKb > peak)) peak = s.rssKb;
    return peak === undefined ? undefined : peak / 1024;
  }
}

/**
 * Wait until the process has stopped burning CPU (its backlog of captured
 * packets is processed): CPU time unchanged for `quietMs`. Bounded by timeoutMs.
 */
export async function waitCpuQuiet(pid: number, quietMs = 400, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = readTreeCpuSeconds(pid);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = readTreeCpuSeconds(pid);
    if (now === undefined) return false;
    // 0.01 s = one tick: an idle daemon's timers may cost a tick now and then
    if (last !== undefined && now - last <= 0.01) {
      if (Date.now() - quietSince >= quietMs) return true;
    } else {
      quietSince = Date.now();
      last = now;
    }
  }
  return false;
}

/** Sum of on-CPU ns of every live thread of `pid` (/proc/PID/task/TID/schedstat, first field). */
function readThreadsRunNs(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // thread exited between readdir and read
    }
  }
  return ns;
}

/**
 * CPU seconds with ns resolution: live threads' run time from schedstat (of
 * the daemon and its live descendants) plus reaped children (ticks). Good for
 * intervals where 10 ms ticks would be too coarse.
 */
export function readPreciseCpuSeconds(pid: number): number | undefined {
  const own = readProcCpu(pid);
  const runNs = readThreadsRunNs(pid);
  if (!own || runNs === undefined) return undefined;
  let total = runNs / 1e9 + own.children;
  for (const d of listDescendants(pid)) {
    const ns = readThreadsRunNs(d);
    const c = readProcCpu(d);
    if (ns !== undefined) total += ns / 1e9;
    if (c) total += c.children;
  }
  return total;
}

/**
 * Busy CPU seconds of the whole machine (all CPUs: user, nice, system, irq,
 * softirq, steal) from /proc/stat. Softirq work for received frames runs on
 * the sending CPU and is charged to no daemon; this catches it.
 */
export function readMachineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) / CLK_TCK;
}
