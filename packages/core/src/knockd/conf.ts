/**
 * knockd.conf (knockd 0.8) parser and its mapping to core Doors.
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
import { normalizeIp } from "../net/ip";
import { DEFAULT_CMD_TIMEOUT_SEC, DEFAULT_SEQ_TIMEOUT_SEC, parseSequence, parseTcpFlags } from "./sequence";
import type { OneTimeFile } from "./one-time";
import { unusedOneTimeSequences } from "./one-time";
import { isValidInterfaceName } from "../doors/schemas";
import type { Door, DoorAction, Step, TcpFlagRule } from "../types";

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

type Report = (message: string) => void;

function applyOption(options: KnockdOptions, key: string, keyText: string, value: string, err: Report): void {
  if (value === "") return err(`${keyText} needs a value`);
  if (key === "LogFile") options.logFile = value;
  else if (key === "PidFile") options.pidFile = value;
  else {
    const bad = value.split(",").map((s) => s.trim()).filter((s) => !isValidInterfaceName(s));
    if (bad.length > 0) return err(`interface "${bad[0]}" is invalid (1 to 15 characters without spaces, '/' or ':')`);
    options.interface = value;
  }
}

function parseSeconds(keyText: string, value: string, min: number, max: number, err: Report): number | undefined {
  if (!/^[0-9]+$/.test(value)) {
    err(`${keyText} must be a whole number of seconds, got "${value}"`);
    return undefined;
  }
  const n = Number(value);
  if (n < min || n > max) {
    err(`${keyText} must be from ${min} to ${max} seconds, got ${n}`);
    return undefined;
  }
  return n;
}

function applyDoorDirective(
  door: KnockdDoor,
  key: string,
  keyText: string,
  value: string,
  err: Report,
  warn: Report,
  kinds: { sequenceLine?: number; spaceLine?: number; flagsLine?: number },
  line: number,
): void {
  switch (key) {
    case "Sequence": {
      kinds.sequenceLine = line;
      const r = parseSequence(value);
      if (!r.ok) {
        door.sequence = [];
        return err(r.reason === "empty knock sequence" ? `section '${door.name}' has an empty knock sequence` : r.reason);
      }
      door.sequence = r.steps;
      if (r.spaceSeparated) warn("ports separated by spaces only: knockd 0.8 reads just the first of them, Sesame reads them all");
      return;
    }
    case "One_Time_Sequences":
      if (value === "") return err(`${keyText} needs a file path`);
      if (!value.startsWith("/")) warn(`${keyText} path "${value}" is relative: knockd resolves it from its working directory`);
      door.oneTimeSequencesFile = value;
      return;
    case "Seq_Timeout": {
      const n = parseSeconds(keyText, value, 1, 86_400, err);
      if (n !== undefined) door.seqTimeoutSec = n;
      return;
    }
    case "Cmd_Timeout": {
      const n = parseSeconds(keyText, value, 0, 31_536_000, err);
      if (n !== undefined) door.cmdTimeoutSec = n;
      return;
    }
    case "TCPFlags": {
      kinds.flagsLine = line;
      const r = parseTcpFlags(value);
      if (!r.ok) return err(r.reason);
      door.tcpFlags = r.rule;
      if (r.nonCommaSeparators) warn(`TCPFlags "${value}": knockd 0.8 only accepts flags separated by bare commas (e.g. syn,!ack)`);
      return;
    }
    case "Target": {
      const ip = normalizeIp(value);
      if (!ip) return err(`target "${value}" is not an IP address`);
      door.target = ip;
      return;
    }
    default: {
      const field = ({ Start_Command: "startCommand", Start_Command_6: "startCommand6", Stop_Command: "stopCommand", Stop_Command_6: "stopCommand6" } as const)[
        key as "Start_Command"
      ];
      // knockd documents an empty *_6 command as "do nothing for IPv6" (no fallback to the IPv4 one).
      if (value === "" && (field === "startCommand" || field === "stopCommand")) {
        delete door[field];
        return warn(`empty ${keyText} ignored`);
      }
      door[field] = value;
    }
  }
}

/** Knock sequences for `knockdDoorToDoor`: plain lists (all unused) or a parsed file. */
export type OneTimeInput = Step[][] | OneTimeFile;

/**
 * A knockd door as a core Door: id = name, action "command" (with an empty
 * start when the section has no Start_Command: knockd then only logs; an
 * empty start6/stop6 means "nothing for IPv6", an absent one falls back),
 * no cooldown, no duplicate tolerance, enabled. With one-time sequences
 * (given, or the door names a file) `oneTimeSequences` holds the unused ones
 * in order, `oneTimeIndex` is 0 and `sequence` is the first of them (empty
 * when exhausted or when the file's contents were not supplied).
 */
export function knockdDoorToDoor(d: KnockdDoor, oneTime?: OneTimeInput): Door {
  const action: DoorAction = { kind: "command", start: d.startCommand ?? "", cmdTimeoutSec: d.cmdTimeoutSec };
  if (d.startCommand6 !== undefined) action.start6 = d.startCommand6;
  if (d.stopCommand) action.stop = d.stopCommand;
  if (d.stopCommand6 !== undefined) action.stop6 = d.stopCommand6;
  const door: Door = {
    id: d.name,
    name: d.name,
    sequence: d.sequence.map((s) => ({ ...s })),
    seqTimeoutMs: d.seqTimeoutSec * 1000,
    tcpFlags: { set: [...d.tcpFlags.set], clear: [...d.tcpFlags.clear] },
    action,
    cooldownMs: 0,
    tolerateDuplicates: false,
    enabled: true,
  };
  if (d.target) door.target = d.target;
  if (oneTime !== undefined || d.oneTimeSequencesFile) {
    const lists = oneTime === undefined ? [] : Array.isArray(oneTime) ? oneTime : unusedOneTimeSequences(oneTime).map((s) => s.steps);
    door.oneTimeSequences = lists.map((seq) => seq.map((s) => ({ ...s })));
    door.oneTimeIndex = 0;
    door.sequence = (door.oneTimeSequences[0] ?? []).map((s) => ({ ...s }));
  }
  return door;
}

export { doorToKnockdSection, doorsToKnockdConf, exportKnockdConf } from "./export";
