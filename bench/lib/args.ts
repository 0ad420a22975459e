import type { DaemonKind } from "./daemons";

export const MEASUREMENTS = ["latency", "flood", "max-rate", "scaling", "memory", "db", "spa"] as const;
export type MeasurementName = (typeof MEASUREMENTS)[number];

export interface BenchArgs {
  quick: boolean;
  only: MeasurementName[];
  daemons: DaemonKind[];
  /** Write V8 CPU profiles of the worker runs to bench/out/profiles. */
  profile: boolean;
  /** `--base COMMIT`: also run that commit's worker (column "Sesame before"). */
  base?: string;
}

const ALIASES: Record<string, MeasurementName> = { maxrate: "max-rate", database: "db", mem: "memory" };
const ALL_DAEMONS: DaemonKind[] = ["sesame", "sesame-dropin", "knockd", "sesame-fwknopd", "fwknopd"];
/** Which daemons each section runs (of those --daemons names): knockd's sections and the SPA one (fwknopd's). */
export const KNOCK_KINDS: DaemonKind[] = ["sesame", "sesame-base", "sesame-dropin", "knockd"];
export const SPA_KINDS: DaemonKind[] = ["sesame", "sesame-fwknopd", "fwknopd"];
export function sectionDaemons(name: MeasurementName, daemons: DaemonKind[]): DaemonKind[] {
  return daemons.filter((k) => (name === "spa" ? SPA_KINDS : KNOCK_KINDS).includes(k));
}
const KNOWN_DAEMONS: DaemonKind[] = [...ALL_DAEMONS, "sesame-base"];

/**
 * `npm run bench -- [--quick] [--only latency,flood,max-rate,scaling,memory,db,spa]
 * [--daemons sesame,sesame-dropin,knockd,sesame-fwknopd,fwknopd] [--profile] [--base COMMIT]`
 */
export function parseBenchArgs(argv: string[]): BenchArgs | { error: string } {
  const args: BenchArgs = { quick: false, only: [...MEASUREMENTS], daemons: [...ALL_DAEMONS], profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (flag === "--quick") args.quick = true;
    else if (flag === "--profile") args.profile = true;
    else if (flag === "--base") {
      const value = inline ?? argv[++i];
      if (!value) return { error: "--base needs a commit" };
      args.base = value;
    }
    else if (flag === "--only" || flag === "--daemons") {
      const value = inline ?? argv[++i];
      if (!value) return { error: `${flag} needs a comma-separated list` };
      const items = value.split(",").map((s) => s.trim()).filter(Boolean);
      if (flag === "--only") {
        const names: MeasurementName[] = [];
        for (const it of items) {
          const n = (ALIASES[it] ?? it) as MeasurementName;
          if (!MEASUREMENTS.includes(n)) return { error: `unknown measurement "${it}" (known: ${MEASUREMENTS.join(", ")})` };
          names.push(n);
        }
        args.only = names;
      } else {
        for (const it of items) if (!KNOWN_DAEMONS.includes(it as DaemonKind)) return { error: `unknown daemon "${it}" (known: ${KNOWN_DAEMONS.join(", ")})` };
        args.daemons = items as DaemonKind[];
      }
    } else if (flag === "--help" || flag === "-h") {
      return { error: "usage: npm run bench -- [--quick] [--only latency,flood,max-rate,scaling,memory,db,spa] [--daemons sesame,sesame-dropin,knockd,sesame-fwknopd,fwknopd] [--profile] [--base COMMIT]" };
    } else return { error: `unknown option ${a}` };
  }
  // --base adds its column right after Sesame's unless --daemons named the columns itself
  if (args.base && !args.daemons.includes("sesame-base")) args.daemons.splice(args.daemons.indexOf("sesame") + 1, 0, "sesame-base");
  if (args.daemons.includes("sesame-base") && !args.base) return { error: "--daemons sesame-base needs --base COMMIT" };
  return args;
}
