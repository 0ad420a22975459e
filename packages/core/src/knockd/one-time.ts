/**
 * knockd's One_Time_Sequences files: one sequence per line, used lines
 * commented out with `#`. Pure text in, text out; the worker does the I/O.
 *
 * Unlike knockd 0.8, a malformed line is reported and skipped without
 * shifting which line gets marked, so a used sequence can never become
 * valid twice, and an exhausted file is a normal state (no sequence left),
 * not a crash.
 */
import { parseSequence } from "./sequence";
import type { Step } from "../types";

export interface OneTimeSequence {
  steps: Step[];
  /** 1-based line number in the file. */
  line: number;
  /** The line is commented out: knockd (or Sesame) already used it. */
  used: boolean;
}

export interface OneTimeFile {
  sequences: OneTimeSequence[];
  errors: { line: number; message: string }[];
}

/**
 * Reads a one-time sequences file. Blank lines are skipped; a `#` line whose
 * remainder is a sequence is a used sequence, any other `#` line a comment;
 * a line that is not a sequence is skipped and reported.
 */
export function parseOneTimeSequences(text: string): OneTimeFile {
  const sequences: OneTimeSequence[] = [];
  const errors: OneTimeFile["errors"] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === "") return;
    if (t.startsWith("#")) {
      const r = parseSequence(t.replace(/^#+/, ""));
      if (r.ok) sequences.push({ steps: r.steps, line, used: true });
      return;
    }
    const r = parseSequence(t);
    if (r.ok) sequences.push({ steps: r.steps, line, used: false });
    else errors.push({ line, message: r.reason });
  });
  return { sequences, errors };
}

/**
 * The sequences still to be used, in file order: the first is the active
 * one. Used lines are left out, so a matcher advancing its index by one can
 * never revive a used sequence.
 */
export function unusedOneTimeSequences(file: OneTimeFile): OneTimeSequence[] {
  return file.sequences.filter((s) => !s.used);
}

/**
 * Comments out `line` (1-based) the way knockd does: knockd writes `#` over
 * the first byte of the line, which is why its manual asks for a leading
 * space. When the line starts with a space or tab, that byte becomes `#`
 * (byte-for-byte what knockd writes); otherwise `#` is inserted in front so
 * the first digit survives. Every other byte is unchanged. A line that does
 * not exist, is blank or is already commented comes back untouched.
 */
export function markOneTimeSequenceUsed(text: string, line: number): string {
  if (!Number.isInteger(line) || line < 1) return text;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf("\n", start);
    if (nl === -1) return text;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  const content = text.slice(start, end === -1 ? text.length : end);
  const t = content.trim();
  if (t === "" || t.startsWith("#")) return text;
  const first = text[start];
  if (first === " " || first === "\t") return `${text.slice(0, start)}#${text.slice(start + 1)}`;
  return `${text.slice(0, start)}#${text.slice(start)}`;
}
