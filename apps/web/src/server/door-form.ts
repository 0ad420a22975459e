import "server-only";
import { DoorInputSchema, type DoorInput, type TcpFlag } from "@sesame/core";
import { formDataToObject } from "@/lib/form-data";
import { issuesToFieldErrors } from "@/lib/form-state";

const FLAGS: TcpFlag[] = ["fin", "syn", "rst", "psh", "ack", "urg"];

export type ParsedDoorForm =
  | { ok: true; id: number | null; input: DoorInput; confirmLockout: boolean }
  | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * The sequence editor posts flat names (`steps.0.port`, `action.kind`,
 * `flags.syn=set|clear|`): rebuild the DoorInput shape and validate it with
 * the shared core schema, keeping zod's paths as field names.
 */
export function parseDoorForm(formData: FormData): ParsedDoorForm {
  const raw = formDataToObject(formData);
  const flags = (raw.flags ?? {}) as Record<string, string>;
  const tcpFlags = {
    set: FLAGS.filter((f) => flags[f] === "set"),
    clear: FLAGS.filter((f) => flags[f] === "clear"),
  };
  const action = (raw.action ?? {}) as Record<string, unknown>;
  // Only the chosen action's fields go to the schema (the form keeps the others around).
  const kind = action.kind;
  const actionInput =
    kind === "open"
      ? { kind, ports: action.ports ?? [], durationSec: action.durationSec }
      : kind === "ban"
        ? { kind, durationSec: action.banDurationSec }
        : kind === "close"
          ? { kind, doorName: action.doorName }
          : { kind };
  const candidate = {
    name: raw.name,
    steps: raw.steps ?? [],
    seqTimeoutSec: raw.seqTimeoutSec,
    tcpFlags,
    target: raw.target,
    action: actionInput,
    cooldownSec: raw.cooldownSec,
    tolerateDuplicates: raw.tolerateDuplicates ?? "false",
    enabled: raw.enabled ?? "false",
  };
  const parsed = DoorInputSchema.safeParse(candidate);
  if (!parsed.success) {
    const errors = issuesToFieldErrors(parsed.error.issues);
    // The ban duration's input is named action.banDurationSec.
    if (kind === "ban" && errors["action.durationSec"]) {
      errors["action.banDurationSec"] = errors["action.durationSec"];
      delete errors["action.durationSec"];
    }
    return { ok: false, fieldErrors: errors };
  }
  const id = typeof raw.id === "string" && /^\d+$/.test(raw.id) ? Number(raw.id) : null;
  return { ok: true, id, input: parsed.data, confirmLockout: raw.confirmLockout === "on" };
}
