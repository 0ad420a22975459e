/**
 * Text about doors for people: the knock command that opens one, and
 * warnings about sequences that are easy to guess or to trip by accident.
 */
import { ipFamily } from "../net/ip";
import type { Door, Step } from "../types";

const SAFE_ARG = /^[A-Za-z0-9._:@%+=-]+$/;

function shellQuote(arg: string): string {
  return SAFE_ARG.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function stepText(s: Step): string {
  return s.protocol === "udp" ? `${s.port}:udp` : String(s.port);
}

function label(s: Step): string {
  return `${s.protocol}/${s.port}`;
}

const sameStep = (a: Step, b: Step) => a.port === b.port && a.protocol === b.protocol;

/**
 * The knock(1) command line for a door: `knock host 7000 8000:udp 9000`
 * (tcp is knock's default; udp is written per port rather than with -u so
 * mixed sequences read the same). `-6` is added for an IPv6 literal host,
 * `-d` when a delay is asked for. A door without an active sequence gets a
 * `#` comment instead of a command.
 */
export function knockCommandFor(door: Door, host: string, opts: { delayMs?: number } = {}): string {
  if (door.sequence.length === 0) return `# door ${door.name} has no active knock sequence`;
  return knockCommandLine(host, door.sequence, opts);
}

/** The knock(1) command line for a sequence (as knockCommandFor, for any steps: a rotating sequence's too). */
export function knockCommandLine(host: string, steps: readonly Step[], opts: { delayMs?: number } = {}): string {
  const args = ["knock"];
  if (opts.delayMs !== undefined && opts.delayMs > 0) args.push("-d", String(Math.round(opts.delayMs)));
  if (ipFamily(host) === 6) args.push("-6");
  args.push(shellQuote(host), ...steps.map(stepText));
  return args.join(" ");
}

/** knockd's documented example sequences, which scanners try first. */
const EXAMPLE_SEQUENCES = ["7000,8000,9000", "9000,8000,7000"];

export interface WeakSequenceContext {
  /** The other doors (the door itself, by id, is skipped if present). */
  otherDoors: Door[];
  /** Ports where services listen on this host. */
  listeningPorts?: Step[];
}

/**
 * Plain-language warnings about a door's sequence: too short, a single
 * repeated port, ordered like a port scan, a regular arithmetic pattern,
 * knockd's example sequence, knocks on listening or protected ports, a first
 * knock or whole sequence shared with another door, a repeated knock with
 * duplicate tolerance on, and a single UDP knock without cooldown.
 */
export function weakSequenceWarnings(door: Door, ctx: WeakSequenceContext): string[] {
  const seq = door.sequence;
  if (seq.length === 0) return ["The door has no active knock sequence, so it can never open."];
  const out: string[] = [];
  const n = seq.length;
  const allSame = n >= 2 && seq.every((s) => sameStep(s, seq[0] as Step));

  if (n < 3) out.push(`The sequence has only ${n} knock${n === 1 ? "" : "s"}; use at least 3 so it cannot be hit by chance.`);
  if (n === 1 && seq[0]?.protocol === "udp" && door.cooldownMs === 0) {
    out.push("A single UDP knock with no cooldown fires on every matching packet; set a cooldown.");
  }
  if (allSame) out.push(`Every knock is ${label(seq[0] as Step)}: a single repeated port is easy to guess.`);
  if (EXAMPLE_SEQUENCES.includes(seq.map(stepText).join(","))) {
    out.push("This is the example sequence from knockd's documentation; scanners try it first.");
  }

  if (n >= 2 && seq.every((s) => s.protocol === "tcp")) {
    const ports = seq.map((s) => s.port);
    if (ports.every((p, i) => i === 0 || p > (ports[i - 1] as number))) {
      out.push("The ports go up in order: an ascending port scan (such as nmap -r) knocks them in this order.");
    } else if (ports.every((p, i) => i === 0 || p < (ports[i - 1] as number))) {
      out.push("The ports go down in order: a descending port scan knocks them in this order.");
    }
  }
  for (const run of regularRuns(seq)) {
    const ports = seq.slice(run.start, run.end + 1).map((s) => s.port);
    out.push(
      `Knocks ${run.start + 1} to ${run.end + 1} (${ports.join(", ")}) change by ${run.step > 0 ? "+" : ""}${run.step} each time; such patterns are easy to guess.`,
    );
  }

  const listening = ctx.listeningPorts ?? [];
  const others = ctx.otherDoors.filter((d) => d.id !== door.id);
  const protectedBy = new Map<string, string>();
  for (const d of [door, ...others]) {
    if (!d.enabled || d.action.kind !== "open") continue;
    for (const p of d.action.ports) if (!protectedBy.has(label(p))) protectedBy.set(label(p), d.name);
  }
  const reported = new Set<string>();
  seq.forEach((s, i) => {
    if (reported.has(label(s))) return;
    if (listening.some((l) => sameStep(l, s))) {
      reported.add(label(s));
      out.push(`Knock ${i + 1} (${label(s)}) is a port where a service listens: ordinary connections to it will advance or break knocks.`);
    } else if (protectedBy.has(label(s))) {
      reported.add(label(s));
      out.push(
        `Knock ${i + 1} (${label(s)}) is a port Sesame protects for door ${protectedBy.get(label(s))}: every connection to that service also counts as a knock.`,
      );
    }
  });

  for (const other of others) {
    if (!other.enabled || other.sequence.length === 0) continue;
    const o = other.sequence;
    if (o.length === n && o.every((s, i) => sameStep(s, seq[i] as Step))) {
      out.push(`Door ${other.name} has exactly the same sequence: one knock would fire both doors.`);
    } else if (o.length > n && seq.every((s, i) => sameStep(s, o[i] as Step))) {
      out.push(`Door ${other.name}'s sequence starts with this whole sequence: knocking ${other.name} also fires this door.`);
    } else if (o.length < n && o.every((s, i) => sameStep(s, seq[i] as Step))) {
      out.push(`This sequence starts with door ${other.name}'s whole sequence: knocking this door also fires ${other.name}.`);
    } else if (sameStep(o[0] as Step, seq[0] as Step)) {
      out.push(`Its first knock (${label(seq[0] as Step)}) is also the first knock of door ${other.name}: both attempts start together.`);
    }
  }

  if (door.tolerateDuplicates && !allSame) {
    for (let i = 1; i < n; i++) {
      const s = seq[i] as Step;
      if (sameStep(s, seq[i - 1] as Step)) {
        out.push(
          `Knocks ${i} and ${i + 1} are both ${label(s)} while duplicate tolerance is on: a retransmitted packet counts as the second knock.`,
        );
      }
    }
  } else if (door.tolerateDuplicates && allSame) {
    out.push("Duplicate tolerance is on and every knock is the same port: retransmitted packets alone can complete the sequence.");
  }
  return [...new Set(out)];
}

/** Maximal runs of at least 3 same-protocol knocks whose ports change by the same non-zero step. */
function regularRuns(seq: Step[]): { start: number; end: number; step: number }[] {
  const runs: { start: number; end: number; step: number }[] = [];
  let start = 0;
  while (start < seq.length - 2) {
    const a = seq[start] as Step;
    const b = seq[start + 1] as Step;
    const step = b.port - a.port;
    if (step === 0 || a.protocol !== b.protocol) {
      start++;
      continue;
    }
    let end = start + 1;
    while (end + 1 < seq.length) {
      const cur = seq[end] as Step;
      const next = seq[end + 1] as Step;
      if (next.protocol !== a.protocol || next.port - cur.port !== step) break;
      end++;
    }
    if (end - start >= 2) {
      runs.push({ start, end, step });
      start = end;
    } else start++;
  }
  return runs;
}
