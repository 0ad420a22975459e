/**
 * knockd.conf (knockd 0.8) parser (directives.ts applies each directive;
 * to-door.ts maps a section to a core Door).
 *
 * Rules as knockd applies them: lines are trimmed, blank and `#` lines
 * skipped; `[options]` (lowercase) is global, any other `[name]` is a door;
 * `key = value` splits on the first `=`, keys are case-insensitive, values
 * trimmed; only `UseSyslog` stands without `=`. Errors carry the line number
 * and knockd's wording where knockd has one; unlike knockd, every error is
 * collected instead of stopping at the first. Unknown directives are
 * warnings (knockd refuses them with "syntax error"; Sesame ignores them and
 * says so), as are constructs knockd reads differently from Sesame.
 */
import type { Step, TcpFlagRule } from "../types";
import { applyDoorDirective, applyOption } from "./directives";
import { DEFAULT_CMD_TIMEOUT_SEC, DEFAULT_SEQ_TIMEOUT_SEC } from "./sequence";

export {
  DEFAULT_CMD_TIMEOUT_SEC,
  DEFAULT_SEQ_TIMEOUT_SEC,
  MAX_SEQUENCE_LENGTH,
  formatSequence,
  formatTcpFlags,
  parseSequence,
  parseTcpFlags,
} from "./sequence";

export interface KnockdOptions {
  useSyslog: boolean;
  logFile?: string;
  pidFile?: string;
  interface?: string;
}

export interface KnockdDoor {
  name: string;
  /** Empty when the door only has One_Time_Sequences. */
  sequence: Step[];
  oneTimeSequencesFile?: string;
  seqTimeoutSec: number;
  tcpFlags: TcpFlagRule;
  startCommand?: string;
  /** "" = do nothing for IPv6; absent = IPv6 falls back to startCommand. */
  startCommand6?: string;
  stopCommand?: string;
  /** "" = do nothing for IPv6; absent = IPv6 falls back to stopCommand. */
  stopCommand6?: string;
  cmdTimeoutSec: number;
  target?: string;
  /** Line of the `[name]` header. */
  line: number;
}

export interface KnockdConfig {
  options: KnockdOptions;
  doors: KnockdDoor[];
}

export interface ConfMessage {
  line: number;
  message: string;
}

export type ParseKnockdConfResult =
  | { ok: true; config: KnockdConfig; warnings: ConfMessage[] }
  | { ok: false; errors: ConfMessage[]; warnings: ConfMessage[] };


/** knockd's own error text: `config: line 7: syntax error`. */
export function formatConfMessage(m: ConfMessage): string {
  return `config: line ${m.line}: ${m.message}`;
}

/** Canonical directive → the field it sets; aliases share an entry. */
const DOOR_KEYS: Record<string, string> = {
  SEQUENCE: "Sequence",
  ONE_TIME_SEQUENCES: "One_Time_Sequences",
  SEQ_TIMEOUT: "Seq_Timeout",
  TIMEOUT: "Seq_Timeout",
  START_COMMAND: "Start_Command",
  COMMAND: "Start_Command",
  START_COMMAND_6: "Start_Command_6",
  COMMAND_6: "Start_Command_6",
  STOP_COMMAND: "Stop_Command",
  STOP_COMMAND_6: "Stop_Command_6",
  CMD_TIMEOUT: "Cmd_Timeout",
  TCPFLAGS: "TCPFlags",
  TARGET: "Target",
};
const OPTION_KEYS: Record<string, string> = { LOGFILE: "LogFile", PIDFILE: "PidFile", INTERFACE: "Interface" };

interface Section {
  kind: "options" | "door" | "dead";
  door?: KnockdDoor;
  /** Canonical directive → line where it was first set, to flag repeats. */
  seen: Map<string, number>;
}

function newDoor(name: string, line: number): KnockdDoor {
  return {
    name,
    sequence: [],
    seqTimeoutSec: DEFAULT_SEQ_TIMEOUT_SEC,
    tcpFlags: { set: [], clear: [] },
    cmdTimeoutSec: DEFAULT_CMD_TIMEOUT_SEC,
    line,
  };
}

/** Parses knockd.conf text; see the module comment for the rules. */
export function parseKnockdConf(text: string): ParseKnockdConfResult {
  const errors: ConfMessage[] = [];
  const warnings: ConfMessage[] = [];
  const options: KnockdOptions = { useSyslog: false };
  const doors: KnockdDoor[] = [];
  const doorLines = new Map<string, number>();
  const seqKinds = new Map<KnockdDoor, { sequenceLine?: number; spaceLine?: number; flagsLine?: number }>();
  let section: Section | undefined;

  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const err = (message: string) => errors.push({ line, message });
    const warn = (message: string) => warnings.push({ line, message });
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) return;

    if (t.startsWith("[") && t.endsWith("]") && t.length >= 2) {
      const name = t.slice(1, -1);
      if (name.trim() === "") {
        err("bad section name");
        section = { kind: "dead", seen: new Map() };
      } else if (name === "options") {
        section = { kind: "options", seen: new Map() };
      } else {
        if (name.toLowerCase() === "options") {
          warn(`section [${name}] is a door: knockd only treats lowercase [options] as the global section`);
        }
        const door = newDoor(name, line);
        const first = doorLines.get(name);
        if (first !== undefined) {
          err(`duplicate section '${name}' (first defined on line ${first})`);
        } else {
          doorLines.set(name, line);
          doors.push(door);
        }
        seqKinds.set(door, {});
        section = { kind: "door", door, seen: new Map() };
      }
      return;
    }

    if (!section) return err("all directives must belong to a section");
    const eq = t.indexOf("=");
    const keyText = (eq === -1 ? t : t.slice(0, eq)).trim();
    const key = keyText.toUpperCase();
    const value = eq === -1 ? undefined : t.slice(eq + 1).trim();

    if (key === "USESYSLOG") {
      if (value !== undefined) return err("syntax error (UseSyslog takes no value)");
      if (section.kind === "door") warn("UseSyslog belongs in [options]; it applies globally");
      options.useSyslog = true;
      return;
    }
    if (value === undefined) return err(`syntax error (expected "key = value", got "${t}")`);
    if (keyText === "") return err('syntax error (missing directive name before "=")');

    const canonical = (section.kind === "options" ? OPTION_KEYS : DOOR_KEYS)[key];
    if (!canonical) {
      if (section.kind === "options" && DOOR_KEYS[key]) return err(`syntax error (${keyText} belongs in a door section, not [options])`);
      if (section.kind !== "options" && OPTION_KEYS[key]) return err(`syntax error (${keyText} belongs in [options])`);
      return warn(`unknown directive "${keyText}" ignored (knockd 0.8 refuses it with "syntax error")`);
    }
    const firstLine = section.seen.get(canonical);
    if (firstLine !== undefined) warn(`${keyText} repeats line ${firstLine}; the last value wins`);
    else section.seen.set(canonical, line);

    if (section.kind === "options") return applyOption(options, canonical, keyText, value, err);
    if (section.kind === "dead" || !section.door) return;
    const door = section.door;
    const kinds = seqKinds.get(door) as { sequenceLine?: number; spaceLine?: number; flagsLine?: number };
    applyDoorDirective(door, canonical, keyText, value, err, warn, kinds, line);
  });

  for (const door of doors) {
    const kinds = seqKinds.get(door) ?? {};
    if (door.sequence.length === 0 && !door.oneTimeSequencesFile && kinds.sequenceLine === undefined) {
      errors.push({ line: door.line, message: `section '${door.name}' has an empty knock sequence` });
    }
    if (door.oneTimeSequencesFile && door.sequence.length > 0) {
      warnings.push({ line: door.line, message: `section '${door.name}' sets both Sequence and One_Time_Sequences; the one-time sequences are used` });
    }
    if (kinds.flagsLine !== undefined && door.sequence.length > 0 && door.sequence.every((s) => s.protocol === "udp")) {
      warnings.push({ line: kinds.flagsLine, message: `TCPFlags has no effect: every knock of section '${door.name}' is UDP` });
    }
  }

  errors.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, config: { options, doors }, warnings };
}

export { knockdDoorToDoor, type OneTimeInput } from "./to-door";
export { doorToKnockdSection, doorsToKnockdConf, exportKnockdConf } from "./export";
