import type { Step } from "@sesame/core";
import { parseTarget } from "./targets";

/** What the command line asks for. */
export type KnockCommand =
  | { command: "help" }
  | { command: "version" }
  | { command: "knock"; host: string; steps: Step[]; delayMs: number; family?: 4 | 6; verbose: boolean };

export type ParseKnockArgsResult = { ok: true; opts: KnockCommand } | { ok: false; error: string };

/** setTimeout's ceiling; a longer delay would fire immediately. */
export const MAX_DELAY_MS = 2_147_483_647;

type Flag = "v" | "u" | "d" | "h" | "V" | "4" | "6";

const LONG_OPTIONS: ReadonlyArray<{ name: string; flag: Flag }> = [
  { name: "verbose", flag: "v" },
  { name: "udp", flag: "u" },
  { name: "delay", flag: "d" },
  { name: "help", flag: "h" },
  { name: "version", flag: "V" },
  { name: "ipv4", flag: "4" },
  { name: "ipv6", flag: "6" },
];

const SHORT_FLAGS = new Set<string>(["v", "u", "d", "h", "V", "4", "6"]);

/** Long option by exact name or unambiguous prefix, as getopt_long allows (`--verb`). */
function findLongOption(name: string): { flag: Flag; name: string } | { error: string } {
  const exact = LONG_OPTIONS.find((o) => o.name === name);
  if (exact) return exact;
  const matches = LONG_OPTIONS.filter((o) => o.name.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) return { error: `unrecognized option '--${name}'` };
  return { error: `option '--${name}' is ambiguous; possibilities: ${matches.map((o) => `'--${o.name}'`).join(" ")}` };
}

function parseDelay(text: string): { ok: true; ms: number } | { ok: false; error: string } {
  if (/^-[0-9]+$/.test(text)) return { ok: false, error: "delay cannot be negative" };
  if (!/^[0-9]+$/.test(text)) return { ok: false, error: `invalid delay '${text}' (expected milliseconds, a whole number)` };
  const ms = Number(text);
  if (ms > MAX_DELAY_MS) return { ok: false, error: `delay ${text} is too large (at most ${MAX_DELAY_MS} ms)` };
  return { ok: true, ms };
}

/**
 * Parse knock 0.8's command line (without the program name):
 * `[-u] [-d ms] [-4|-6] [-v] [-h] [-V] host port[:proto] ...`.
 *
 * Follows getopt_long like knock 0.8 does: options may follow the
 * positionals, short flags bundle (`-uv`, `-d500`), long options take
 * `--delay=500` or `--delay 500` and unambiguous prefixes, `--` ends the
 * options, and the first of -h / -V / a bad option wins. `-u` turns every
 * hit into UDP, an explicit `:tcp` included, exactly as knock 0.8 does.
 * Unlike knock 0.8, bad ports, protocols and delays are errors instead of
 * being read as 0 / tcp.
 */
export function parseKnockArgs(argv: readonly string[]): ParseKnockArgsResult {
  const positionals: string[] = [];
  let verbose = false;
  let udp = false;
  let delayMs = 0;
  let family: 4 | 6 | undefined;
  let optionsEnded = false;

  // Returns a result to stop parsing with, or undefined to go on.
  const apply = (flag: Flag, value: string | undefined): ParseKnockArgsResult | undefined => {
    switch (flag) {
      case "v": verbose = true; return undefined;
      case "u": udp = true; return undefined;
      case "4": family = 4; return undefined;
      case "6": family = 6; return undefined;
      case "h": return { ok: true, opts: { command: "help" } };
      case "V": return { ok: true, opts: { command: "version" } };
      case "d": {
        const d = parseDelay(value ?? "");
        if (!d.ok) return d;
        delayMs = d.ms;
        return undefined;
      }
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (optionsEnded || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
    } else if (arg === "--") {
      optionsEnded = true;
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const found = findLongOption(name);
      if ("error" in found) return { ok: false, error: found.error };
      let value = inline;
      if (found.flag === "d") {
        if (value === undefined) {
          if (i + 1 >= argv.length) return { ok: false, error: "option '--delay' requires an argument" };
          value = argv[++i]!;
        }
      } else if (value !== undefined) {
        return { ok: false, error: `option '--${found.name}' doesn't allow an argument` };
      }
      const stop = apply(found.flag, value);
      if (stop) return stop;
    } else {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        if (!SHORT_FLAGS.has(c)) return { ok: false, error: `invalid option -- '${c}'` };
        let value: string | undefined;
        if (c === "d") {
          value = arg.slice(j + 1);
          if (value === "") {
            if (i + 1 >= argv.length) return { ok: false, error: "option requires an argument -- 'd'" };
            value = argv[++i]!;
          }
          j = arg.length;
        }
        const stop = apply(c as Flag, value);
        if (stop) return stop;
      }
    }
  }

  const [host, ...targets] = positionals;
  if (host === undefined) return { ok: false, error: "missing host and ports to knock" };
  if (host === "") return { ok: false, error: "empty host name" };
  if (targets.length === 0) return { ok: false, error: `no ports to knock on ${host}` };

  const steps: Step[] = [];
  for (const target of targets) {
    const parsed = parseTarget(target, "tcp");
    if (!parsed.ok) return { ok: false, error: parsed.error };
    steps.push(udp ? { port: parsed.step.port, protocol: "udp" } : parsed.step);
  }
  return { ok: true, opts: { command: "knock", host, steps, delayMs, family, verbose } };
}
