/**
 * Builders shared by the matcher's table-driven tests: doors from knockd-like
 * text, packets, a scripted run with an injected clock, events as short
 * strings. Not exported from the package.
 */
import { Matcher } from "./matcher";
import type { MatcherOptions } from "./matcher";
import type { Door, KnockPacket, MatchEvent, Protocol, Step } from "./types";

export const HOST4 = "10.0.0.1";
export const HOST6 = "fd00::1";
export const CLIENT = "192.0.2.10";

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;
export const SYN_ACK = SYN | ACK;

/** "7000,8000:udp,9000" → steps (test input is trusted; no validation). */
export function seq(text: string): Step[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const [port, protocol = "tcp"] = part.trim().split(":");
    return { port: Number(port), protocol: protocol as Protocol };
  });
}

/** A door with knockd's defaults: 25 s, no flags, no cooldown, no duplicate tolerance. */
export function door(id: string, sequence: string, over: Partial<Door> = {}): Door {
  return {
    id,
    name: id,
    sequence: seq(sequence),
    seqTimeoutMs: 25_000,
    tcpFlags: { set: [], clear: [] },
    action: { kind: "open", ports: [{ port: 22, protocol: "tcp" }], durationSec: 300 },
    cooldownMs: 0,
    tolerateDuplicates: false,
    enabled: true,
    ...over,
  };
}

/** A packet from `src` to `dst`; "8000:udp" style port; SYN for TCP unless `flags` is given. */
export function packet(knock: string, src = CLIENT, dst = HOST4, flags?: number): KnockPacket {
  const step = seq(knock)[0] ?? { port: 0, protocol: "tcp" };
  return {
    src,
    dst,
    family: src.includes(":") ? 6 : 4,
    protocol: step.protocol,
    dport: step.port,
    flags: flags ?? (step.protocol === "tcp" ? SYN : 0),
  };
}

/** Events as short strings, so expectations read like knockd's log. */
export function fmt(ev: MatchEvent): string {
  switch (ev.kind) {
    case "stage":
      return `${ev.ip} ${ev.door} stage ${ev.stage}/${ev.of}`;
    case "open-sesame":
      return `${ev.ip} ${ev.door} OPEN v${ev.family}`;
    case "timeout":
      return `${ev.ip} ${ev.door} timeout ${ev.stage}`;
    case "invalidated":
      return `${ev.ip} ${ev.door} invalid ${ev.stage} ${ev.protocol}:${ev.port}`;
    case "duplicate":
      return `${ev.ip} ${ev.door} duplicate ${ev.stage}`;
    case "cooldown":
      return `${ev.ip} ${ev.door} cooldown`;
    case "evicted":
      return `${ev.ip} ${ev.door} evicted ${ev.stage}`;
    case "one-time-used":
      return `${ev.door} one-time ${ev.index}${ev.exhausted ? " exhausted" : ""}`;
  }
}

/** One line of a script: at time `t`, either a knock or an expire() call, and the events expected. */
export interface ScriptLine {
  t?: number;
  /** "7000", "8000:udp"; omitted with `expire`. */
  knock?: string;
  src?: string;
  dst?: string;
  flags?: number;
  /** Call expire() instead of handle(). */
  expire?: true;
  expect: string[];
}

export interface Harness {
  matcher: Matcher;
  clock: { t: number };
  /** Runs the lines in order; returns the events of each line, formatted. */
  play(lines: ScriptLine[]): string[][];
}

/** A matcher on HOST4/HOST6 with a mutable clock. */
export function createHarness(doors: Door[], options: Partial<MatcherOptions> = {}): Harness {
  const clock = { t: 0 };
  const local = new Set([HOST4, HOST6]);
  const matcher = new Matcher(doors, { now: () => clock.t, isLocalAddress: (ip) => local.has(ip), ...options });
  return {
    matcher,
    clock,
    play(lines) {
      return lines.map((line) => {
        if (line.t !== undefined) clock.t = line.t;
        const events = line.expire ? matcher.expire() : matcher.handle(packet(line.knock ?? "", line.src, line.dst, line.flags));
        return events.map(fmt);
      });
    },
  };
}
