/**
 * One knockd.conf directive applied to the `[options]` section or a door, with
 * knockd's checks and wording (conf.ts reads the lines and sections).
 */
import { normalizeIp } from "../net/ip";
import { isValidInterfaceName } from "../net/interface-name";
import type { KnockdDoor, KnockdOptions } from "./conf";
import { parseSequence, parseTcpFlags } from "./sequence";

export type Report = (message: string) => void;

export function applyOption(options: KnockdOptions, key: string, keyText: string, value: string, err: Report): void {
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

export function applyDoorDirective(
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
