/**
 * knockd's small value syntaxes, shared by the knockd.conf parser, the
 * one-time sequence files and the UI: `7000,8000:udp,9000` and `syn,!ack`.
 */
import type { Step, TcpFlag, TcpFlagRule } from "../types";

/** knockd's defaults for Seq_Timeout and Cmd_Timeout. */
export const DEFAULT_SEQ_TIMEOUT_SEC = 25;
export const DEFAULT_CMD_TIMEOUT_SEC = 10;

/** knockd's SEQ_MAX. */
export const MAX_SEQUENCE_LENGTH = 32;

export type ParseSequenceResult =
  | { ok: true; steps: Step[]; /** Some entries were separated by spaces only (knockd 0.8 reads just the first of them). */ spaceSeparated: boolean }
  | { ok: false; reason: string };

/**
 * Parses `port[:tcp|udp]` entries (protocol case-insensitive, tcp by
 * default) separated by commas; spaces around entries are fine, and entries
 * separated by spaces alone (`7000 8000:udp 9000`, as typed on the knock
 * command line) are accepted too. Ports are 1..65535; duplicates are allowed
 * (`1226,1226`); at most 32 entries.
 */
export function parseSequence(text: string): ParseSequenceResult {
  const t = (text ?? "").trim();
  if (t === "") return { ok: false, reason: "empty knock sequence" };
  const steps: Step[] = [];
  let spaceSeparated = false;
  for (const piece of t.split(",")) {
    const words = piece.replace(/\s*:\s*/g, ":").trim().split(/\s+/);
    if (words.length > 1) spaceSeparated = true;
    for (const word of words) {
      if (word === "") return { ok: false, reason: "empty entry in knock sequence (two commas in a row?)" };
      const colon = word.indexOf(":");
      const portText = colon === -1 ? word : word.slice(0, colon);
      const protoText = colon === -1 ? "tcp" : word.slice(colon + 1).toLowerCase();
      if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
        return { ok: false, reason: `port ${portText === "" ? '""' : portText} is invalid (ports are 1 to 65535)` };
      }
      if (protoText !== "tcp" && protoText !== "udp") {
        return { ok: false, reason: `unknown protocol in knock sequence: "${word.slice(colon + 1)}" (expected tcp or udp)` };
      }
      if (steps.length >= MAX_SEQUENCE_LENGTH) {
        return { ok: false, reason: `too many ports in knock sequence (at most ${MAX_SEQUENCE_LENGTH})` };
      }
      steps.push({ port: Number(portText), protocol: protoText });
    }
  }
  return { ok: true, steps, spaceSeparated };
}

/** `7000,8000:udp,9000`: tcp is knockd's default and is left implicit. */
export function formatSequence(steps: readonly Step[]): string {
  return steps.map((s) => (s.protocol === "udp" ? `${s.port}:udp` : String(s.port))).join(",");
}

const FLAGS: readonly TcpFlag[] = ["fin", "syn", "rst", "psh", "ack", "urg"];

export type ParseTcpFlagsResult =
  | { ok: true; rule: TcpFlagRule; /** `|` or spaces were used (knockd 0.8 only accepts bare commas). */ nonCommaSeparators: boolean }
  | { ok: false; reason: string };

/**
 * Parses `syn,!ack` (case-insensitive). Besides knockd's commas, `|` and
 * spaces are tolerated as separators because real configs copy the man
 * page's `fin|syn|rst|psh|ack|urg` notation.
 */
export function parseTcpFlags(text: string): ParseTcpFlagsResult {
  const t = (text ?? "").trim();
  const words = t.split(/[\s,|]+/).filter((w) => w !== "");
  if (words.length === 0) return { ok: false, reason: "TCPFlags needs at least one flag (fin, syn, rst, psh, ack, urg)" };
  const nonCommaSeparators = /[|\s]/.test(t);
  const set: TcpFlag[] = [];
  const clear: TcpFlag[] = [];
  for (const w of words) {
    const negated = w.startsWith("!");
    const name = (negated ? w.slice(1) : w).toLowerCase() as TcpFlag;
    if (!FLAGS.includes(name)) return { ok: false, reason: `unrecognized flag "${w}" (expected fin, syn, rst, psh, ack or urg, optionally preceded by !)` };
    const list = negated ? clear : set;
    if ((negated ? set : clear).includes(name)) return { ok: false, reason: `flag ${name} is both required and excluded` };
    if (!list.includes(name)) list.push(name);
  }
  return { ok: true, rule: { set, clear }, nonCommaSeparators };
}

/** `syn,!ack`; empty string when no flag is constrained. */
export function formatTcpFlags(rule: TcpFlagRule): string {
  return [...rule.set, ...rule.clear.map((f) => `!${f}`)].join(",");
}
