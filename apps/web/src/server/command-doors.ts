import "server-only";
import type { DoorRecord } from "./queries/doors";

/**
 * Command doors run shell commands as root, from the worker's own
 * knockd.conf (-c) only; the database just names the section. Their
 * sequence (and one-time sequences, whose index markUsedInFile uses to
 * comment out the used line in that file) must match that file, so the web
 * app can enable, disable or delete them, never re-key them — neither from
 * the editor nor from a knockd.conf import.
 */
export function isCommandDoor(door: Pick<DoorRecord, "action">): boolean {
  return door.action === "command";
}

export const COMMAND_DOOR_EDIT_REFUSAL =
  "Doors with commands come from the worker's knockd.conf: they can only be enabled, disabled or deleted here. Change the sequence in that file (the worker re-reads it on SIGHUP).";

export function describeCommandDoorImportSkip(name: string): string {
  return `[${name}] is a command door from the worker's knockd.conf: an import cannot change it (skipped). Edit that file instead, or delete the door first.`;
}
