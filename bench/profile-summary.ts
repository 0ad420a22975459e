/**
 * Where a worker's CPU went, from a V8 profile written by `npm run bench -- --profile`
 * (bench/out/profiles/*.cpuprofile; the largest file of a run is the main thread):
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [functionName …]
 *
 * Prints busy time by source file, the top self-time frames and the inclusive
 * time of the named functions (default: the worker's packet path).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DEFAULT_FUNCTIONS = ["onFrame", "decode", "handlePacket", "handle", "process", "check", "probeInterface", "flush", "log", "(garbage collector)"];

/** Self time (µs) per node id. */
function selfTimes(p: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  return self;
}

function shortUrl(url: string): string {
  return url.split("/").slice(-2).join("/") || "(native)";
}

/** Text summary of one profile. */
export function summarizeProfile(p: CpuProfile, functions: string[] = DEFAULT_FUNCTIONS): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = selfTimes(p);
  const byFile = new Map<string, number>();
  const byFrame = new Map<string, number>();
  const incl = new Map(functions.map((f) => [f, 0]));
  let busy = 0;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === "(idle)") continue;
    busy += t;
    const file = n.callFrame.url ? shortUrl(n.callFrame.url) : n.callFrame.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + t);
    const frame = `${n.callFrame.functionName || "(anonymous)"} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame.functionName;
      if (incl.has(f) && !seen.has(f)) {
        seen.add(f);
        incl.set(f, incl.get(f)! + t);
      }
    }
  }
  const ms = (us: number): string => (us / 1000).toFixed(1).padStart(9);
  const pct = (us: number): string => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>, n: number): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${ms(v)} ms ${pct(v)}  ${k}`);
  return [
    `busy (non-idle) ${(busy / 1000).toFixed(1)} ms`,
    "-- by file (self)",
    ...top(byFile, 15),
    "-- top frames (self)",
    ...top(byFrame, 15),
    "-- inclusive",
    ...[...incl].map(([k, v]) => `${ms(v)} ms ${pct(v)}  ${k}`),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, ...fns] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [functionName …]");
    process.exit(2);
  }
  console.log(summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, fns.length ? fns : undefined));
}
