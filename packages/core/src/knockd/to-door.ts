import type { Door, DoorAction, Step } from "../types";
import type { KnockdDoor } from "./conf";
import type { OneTimeFile } from "./one-time";
import { unusedOneTimeSequences } from "./one-time";

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
