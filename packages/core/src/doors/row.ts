/**
 * Converters between UI input, the `doors` table row and the core Door.
 * core must not import @sesame/db, so `DoorRow` restates the columns of
 * `doors` (without id and timestamps); drizzle's row type satisfies it
 * structurally, and a DoorRow is a valid insert value.
 */
import type { DoorInput } from "./schemas";
import type { Door, DoorAction, Step, TcpFlagRule } from "../types";

export interface DoorRow {
  name: string;
  sequence: Step[];
  oneTimeSequences: Step[][] | null;
  oneTimeIndex: number;
  seqTimeoutMs: number;
  tcpFlags: TcpFlagRule;
  target: string | null;
  action: "open" | "close" | "ban" | "command";
  openPorts: Step[] | null;
  durationSec: number;
  closeDoorName: string | null;
  commandSection: string | null;
  commandPreview: string | null;
  cooldownMs: number;
  tolerateDuplicates: boolean;
  enabled: boolean;
  source: "ui" | "knockd-conf";
}

export type CommandAction = Extract<DoorAction, { kind: "command" }>;

/** A UI door as a row to insert or update (source "ui"). */
export function doorInputToRow(input: DoorInput): DoorRow {
  const a = input.action;
  return {
    name: input.name,
    sequence: input.steps.map(copyStep),
    oneTimeSequences: null,
    oneTimeIndex: 0,
    seqTimeoutMs: input.seqTimeoutSec * 1000,
    tcpFlags: { set: [...input.tcpFlags.set], clear: [...input.tcpFlags.clear] },
    target: input.target ?? null,
    action: a.kind,
    openPorts: a.kind === "open" ? a.ports.map(copyStep) : null,
    durationSec: a.kind === "close" ? 0 : a.durationSec,
    closeDoorName: a.kind === "close" ? (a.doorName ?? null) : null,
    commandSection: null,
    commandPreview: null,
    cooldownMs: input.cooldownSec * 1000,
    tolerateDuplicates: input.tolerateDuplicates,
    enabled: input.enabled,
    source: "ui",
  };
}

/**
 * Any core Door as a row. Command doors keep only the knockd.conf section
 * name and a display copy of their commands: the worker runs commands from
 * its root-owned config file, never from the database.
 */
export function doorToRow(door: Door, source: DoorRow["source"] = "ui"): DoorRow {
  const a = door.action;
  return {
    name: door.name,
    sequence: door.sequence.map(copyStep),
    oneTimeSequences: door.oneTimeSequences ? door.oneTimeSequences.map((s) => s.map(copyStep)) : null,
    oneTimeIndex: door.oneTimeIndex ?? 0,
    seqTimeoutMs: door.seqTimeoutMs,
    tcpFlags: { set: [...door.tcpFlags.set], clear: [...door.tcpFlags.clear] },
    target: door.target ?? null,
    action: a.kind,
    openPorts: a.kind === "open" ? a.ports.map(copyStep) : null,
    durationSec: a.kind === "open" || a.kind === "ban" ? a.durationSec : a.kind === "command" ? a.cmdTimeoutSec : 0,
    closeDoorName: a.kind === "close" ? (a.doorName ?? null) : null,
    commandSection: a.kind === "command" ? door.name : null,
    commandPreview: a.kind === "command" ? previewCommands(a) : null,
    cooldownMs: door.cooldownMs,
    tolerateDuplicates: door.tolerateDuplicates,
    enabled: door.enabled,
    source,
  };
}

function previewCommands(a: CommandAction): string {
  const lines = [`start_command = ${a.start}`];
  if (a.start6 !== undefined) lines.push(`start_command_6 = ${a.start6}`.trimEnd());
  if (a.stop) lines.push(`stop_command = ${a.stop}`);
  if (a.stop6 !== undefined) lines.push(`stop_command_6 = ${a.stop6}`.trimEnd());
  lines.push(`cmd_timeout = ${a.cmdTimeoutSec}`);
  return lines.join("\n");
}

/**
 * A stored row as the Door the matcher uses (id = String(row.id)). Command
 * rows take their commands from `commandFor(section)` (the worker's parsed
 * knockd.conf); when it has none the door comes back disabled, so a missing
 * section can never run an empty command.
 */
export function doorRowToDoor(
  row: DoorRow & { id: number },
  opts: { commandFor?: (section: string) => CommandAction | undefined } = {},
): Door {
  let action: DoorAction;
  let enabled = row.enabled;
  switch (row.action) {
    case "open":
      action = { kind: "open", ports: (row.openPorts ?? []).map(copyStep), durationSec: row.durationSec };
      break;
    case "close":
      action = row.closeDoorName ? { kind: "close", doorName: row.closeDoorName } : { kind: "close" };
      break;
    case "ban":
      action = { kind: "ban", durationSec: row.durationSec };
      break;
    case "command": {
      const found = row.commandSection ? opts.commandFor?.(row.commandSection) : undefined;
      action = found ? { ...found } : { kind: "command", start: "", cmdTimeoutSec: row.durationSec };
      if (!found) enabled = false;
      break;
    }
  }
  const door: Door = {
    id: String(row.id),
    name: row.name,
    sequence: row.sequence.map(copyStep),
    seqTimeoutMs: row.seqTimeoutMs,
    tcpFlags: { set: [...row.tcpFlags.set], clear: [...row.tcpFlags.clear] },
    action,
    cooldownMs: row.cooldownMs,
    tolerateDuplicates: row.tolerateDuplicates,
    enabled,
  };
  if (row.target) door.target = row.target;
  if (row.oneTimeSequences) {
    door.oneTimeSequences = row.oneTimeSequences.map((s) => s.map(copyStep));
    door.oneTimeIndex = row.oneTimeIndex;
    door.sequence = (row.oneTimeSequences[row.oneTimeIndex] ?? []).map(copyStep);
  }
  return door;
}

/**
 * A Door as the edit form's initial values; null for command doors, whose
 * commands are not editable from the UI.
 */
export function doorToInput(door: Door): DoorInput | null {
  const a = door.action;
  if (a.kind === "command") return null;
  const action: DoorInput["action"] =
    a.kind === "open"
      ? { kind: "open", ports: a.ports.map(copyStep), durationSec: a.durationSec }
      : a.kind === "ban"
        ? { kind: "ban", durationSec: a.durationSec }
        : a.doorName
          ? { kind: "close", doorName: a.doorName }
          : { kind: "close" };
  const input: DoorInput = {
    name: door.name,
    steps: door.sequence.map(copyStep),
    seqTimeoutSec: Math.round(door.seqTimeoutMs / 1000),
    tcpFlags: { set: [...door.tcpFlags.set], clear: [...door.tcpFlags.clear] },
    action,
    cooldownSec: Math.round(door.cooldownMs / 1000),
    tolerateDuplicates: door.tolerateDuplicates,
    enabled: door.enabled,
  };
  if (door.target) input.target = door.target;
  return input;
}

function copyStep(s: Step): Step {
  return { port: s.port, protocol: s.protocol };
}
