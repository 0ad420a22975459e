/**
 * The automation API's doors (/api/v1/doors, scope doors): what a door looks
 * like to a token, and the bodies that create and change one. Creating uses
 * the editor's own DoorInputSchema; a PATCH names some of its fields, which
 * are laid over the door's current ones and checked with that same schema.
 */
import { z } from "zod";
import { doorRowToDoor, doorToInput, type DoorRow } from "../doors/row";
import { DoorInputSchema, type DoorInput } from "../doors/schemas";
import type { Step, TcpFlagRule } from "../types";

/** The UI's "I know, save anyway" tick box, for a caller whose own address the change would lock out. */
const ConfirmLockoutSchema = z.boolean({ error: "confirmLockout must be true or false." }).default(false);

/** POST /api/v1/doors: a door as the sequence editor sends it, plus confirmLockout. */
export const ApiDoorCreateSchema = DoorInputSchema.extend({ confirmLockout: ConfirmLockoutSchema });
export type ApiDoorCreate = z.infer<typeof ApiDoorCreateSchema>;

export const DOOR_FIELDS = Object.keys(DoorInputSchema.shape) as (keyof DoorInput)[];
export type DoorField = (typeof DOOR_FIELDS)[number];

/** PATCH /api/v1/doors/{id}: one or more door fields (checked later, merged) and confirmLockout. */
export const ApiDoorPatchSchema = z
  .record(z.string(), z.unknown(), { error: "The body must be a JSON object with the door fields to change." })
  .transform((body, ctx) => {
    const { confirmLockout: confirm, ...fields } = body;
    const confirmLockout = ConfirmLockoutSchema.safeParse(confirm);
    if (!confirmLockout.success) ctx.addIssue({ code: "custom", message: "confirmLockout must be true or false.", path: ["confirmLockout"] });
    const unknown = Object.keys(fields).filter((k) => !(DOOR_FIELDS as string[]).includes(k));
    if (unknown.length > 0) {
      ctx.addIssue({ code: "custom", message: `${unknown.join(", ")}: not a door field (the fields are ${DOOR_FIELDS.join(", ")}).` });
    } else if (Object.keys(fields).length === 0) {
      ctx.addIssue({ code: "custom", message: `Send at least one door field to change (${DOOR_FIELDS.join(", ")}).` });
    }
    if (!confirmLockout.success || unknown.length > 0 || Object.keys(fields).length === 0) return z.NEVER;
    return { fields: fields as Partial<Record<DoorField, unknown>>, confirmLockout: confirmLockout.data };
  });
export type ApiDoorPatch = z.infer<typeof ApiDoorPatchSchema>;

/** A PATCH that only switches the door on or off (the list's toggle; the only change command and one-time doors take). */
export function isTogglePatch(patch: ApiDoorPatch): boolean {
  return Object.keys(patch.fields).every((k) => k === "enabled");
}

type StoredDoor = DoorRow & { id: number; createdAt: number; updatedAt: number };

/** The door's editable fields with the patch laid over them, for DoorInputSchema (null for command doors). */
export function patchedDoorCandidate(row: StoredDoor, patch: ApiDoorPatch): Record<string, unknown> | null {
  const current = doorToInput(doorRowToDoor(row));
  return current ? { ...current, ...patch.fields } : null;
}

export type ApiDoorAction =
  | { kind: "open"; ports: Step[]; durationSec: number }
  | { kind: "close"; doorName: string | null }
  | { kind: "ban"; durationSec: number }
  | { kind: "command"; section: string | null; commands: string | null };

/** A door as a token sees it: the editor's fields under the editor's names, and where it came from. */
export interface ApiDoor {
  id: number;
  name: string;
  /** Where the UI lists it: a decoy bans whoever knocks it. */
  kind: "sequence" | "decoy";
  source: DoorRow["source"];
  enabled: boolean;
  /** The knocks; null for a one-time door, whose unused sequences are secrets (see oneTime). */
  steps: Step[] | null;
  /** One_Time_Sequences: only how many are left, as the UI's list shows it. */
  oneTime: { remaining: number } | null;
  seqTimeoutSec: number;
  tcpFlags: TcpFlagRule;
  target: string | null;
  action: ApiDoorAction;
  cooldownSec: number;
  tolerateDuplicates: boolean;
  createdAt: number;
  updatedAt: number;
}

export function toApiDoor(row: StoredDoor): ApiDoor {
  const action: ApiDoorAction =
    row.action === "open"
      ? { kind: "open", ports: (row.openPorts ?? []).map(copyStep), durationSec: row.durationSec }
      : row.action === "close"
        ? { kind: "close", doorName: row.closeDoorName }
        : row.action === "ban"
          ? { kind: "ban", durationSec: row.durationSec }
          : // The display copy the door's page shows; the worker runs commands only from its own knockd.conf.
            { kind: "command", section: row.commandSection, commands: row.commandPreview };
  return {
    id: row.id,
    name: row.name,
    kind: row.action === "ban" ? "decoy" : "sequence",
    source: row.source,
    enabled: row.enabled,
    steps: row.oneTimeSequences ? null : row.sequence.map(copyStep),
    oneTime: row.oneTimeSequences ? { remaining: Math.max(0, row.oneTimeSequences.length - row.oneTimeIndex) } : null,
    seqTimeoutSec: Math.round(row.seqTimeoutMs / 1000),
    tcpFlags: { set: [...row.tcpFlags.set], clear: [...row.tcpFlags.clear] },
    target: row.target,
    action,
    cooldownSec: Math.round(row.cooldownMs / 1000),
    tolerateDuplicates: row.tolerateDuplicates,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function copyStep(s: Step): Step {
  return { port: s.port, protocol: s.protocol };
}
