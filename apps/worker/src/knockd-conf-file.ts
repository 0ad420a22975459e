import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import {
  formatConfMessage,
  knockdDoorToDoor,
  markOneTimeSequenceUsed,
  parseKnockdConf,
  parseOneTimeSequences,
  unusedOneTimeSequences,
  type CommandAction,
  type KnockdConfig,
  type OneTimeSequence,
} from "@sesame/core";

/**
 * The knockd.conf given with `-c`, on disk: read and checked, the only place
 * commands are ever read from, and where used one-time sequences are
 * commented out (like knockd). The file must be root's and not writable by
 * group or others, otherwise its doors still match but no command runs.
 * Its doors reach the database through knockd-doors-to-db.ts.
 */

export interface ImportLog {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface LoadedKnockdConf {
  path: string;
  config: KnockdConfig;
  /** false when the file fails the ownership/permission check. */
  commandsAllowed: boolean;
  /** Per door name: the One_Time_Sequences file and its unused sequences (index = matcher index). */
  oneTime: Map<string, { file: string; unused: OneTimeSequence[] }>;
}

export type LoadResult = { ok: true; loaded: LoadedKnockdConf } | { ok: false; messages: string[] };

/** Why the file may not supply commands, or null when it may (root-owned, not group/world-writable). */
export function commandFileProblem(st: { uid: number; mode: number }): string | null {
  if (st.uid !== 0) return `owned by uid ${st.uid}, not root`;
  if ((st.mode & 0o022) !== 0) return `writable by ${(st.mode & 0o020) !== 0 ? "its group" : "others"} (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** Reads and parses the file; errors come back as knockd's `config: line N: …` lines. */
export function loadKnockdConf(path: string, log: ImportLog): LoadResult {
  let text: string;
  let st;
  try {
    st = statSync(path);
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { ok: false, messages: [`config: could not open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  const parsed = parseKnockdConf(text);
  for (const w of parsed.warnings) log.warn(formatConfMessage(w));
  if (!parsed.ok) return { ok: false, messages: parsed.errors.map(formatConfMessage) };
  const problem = commandFileProblem(st);
  if (problem) log.error(`refusing to run commands from ${path}: ${problem}; its doors match but run nothing`);
  const oneTime = new Map<string, { file: string; unused: OneTimeSequence[] }>();
  for (const d of parsed.config.doors) {
    if (!d.oneTimeSequencesFile) continue;
    // knockd opens the path as given (relative to its working directory); we anchor relative paths at the config file.
    const file = isAbsolute(d.oneTimeSequencesFile) ? d.oneTimeSequencesFile : resolve(dirname(path), d.oneTimeSequencesFile);
    let unused: OneTimeSequence[] = [];
    try {
      const f = parseOneTimeSequences(readFileSync(file, "utf8"));
      for (const e of f.errors) log.warn(`${file}: line ${e.line}: ${e.message}`);
      unused = unusedOneTimeSequences(f);
      if (unused.length === 0) log.warn(`${d.name}: no unused sequence left in ${file}; the door is inactive`);
    } catch (e) {
      log.error(`${d.name}: cannot read One_Time_Sequences file ${file}: ${(e as Error).message}; the door is inactive`);
    }
    oneTime.set(d.name, { file, unused });
  }
  return { ok: true, loaded: { path, config: parsed.config, commandsAllowed: problem === null, oneTime } };
}

/** The commands of a section, from the loaded file only (undefined when refused or absent). */
export function commandLookup(loaded: LoadedKnockdConf | null): (section: string) => CommandAction | undefined {
  return (section) => {
    if (!loaded || !loaded.commandsAllowed) return undefined;
    const d = loaded.config.doors.find((x) => x.name === section);
    if (!d) return undefined;
    const a = knockdDoorToDoor(d).action;
    return a.kind === "command" ? a : undefined;
  };
}

/**
 * A one-time sequence was used: comment its line out in the file (like
 * knockd) so it can never be accepted again, even after a restart.
 */
export function markUsedInFile(loaded: LoadedKnockdConf, doorName: string, index: number, log: ImportLog): void {
  const ot = loaded.oneTime.get(doorName);
  const seq = ot?.unused[index];
  if (!ot || !seq) return;
  try {
    const text = readFileSync(ot.file, "utf8");
    const next = markOneTimeSequenceUsed(text, seq.line);
    if (next !== text) writeFileSync(ot.file, next);
  } catch (e) {
    log.error(`${doorName}: cannot mark one-time sequence (line ${seq.line}) used in ${ot.file}: ${(e as Error).message}`);
  }
}

/** The knockd.conf in use (SIGHUP may replace it with a fresh read). */
export class KnockdConfHolder {
  constructor(private loaded: LoadedKnockdConf | null) {}

  current(): LoadedKnockdConf | null {
    return this.loaded;
  }

  replace(loaded: LoadedKnockdConf): void {
    this.loaded = loaded;
  }

  /** The stop command (unsubstituted) of a section for an address family; undefined when absent. */
  stopCommandFor(section: string, family: 4 | 6): string | undefined {
    const a = commandLookup(this.loaded)(section);
    if (!a) return undefined;
    const stop = family === 6 ? (a.stop6 ?? a.stop) : a.stop;
    return stop === undefined || stop === "" ? undefined : stop;
  }
}
