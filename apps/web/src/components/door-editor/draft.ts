import type { Door, Step, TcpFlag } from "@sesame/core";
import type { DoorDraft, StepDraft } from "./types";
import { TCP_FLAG_NAMES } from "./types";

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

export function toStepDrafts(steps: Step[]): StepDraft[] {
  return steps.map((s) => ({ key: newKey(), port: String(s.port), protocol: s.protocol }));
}

function toSteps(drafts: StepDraft[]): Step[] {
  return drafts
    .map((s) => ({ port: Number(s.port), protocol: s.protocol }))
    .filter((s) => Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535);
}

/** The draft as a core Door, as well as it can be read while the user is typing (for previews and warnings). */
export function draftToDoor(d: DoorDraft): Door {
  const set = TCP_FLAG_NAMES.filter((f) => d.flags[f] === "set") as TcpFlag[];
  const clear = TCP_FLAG_NAMES.filter((f) => d.flags[f] === "clear") as TcpFlag[];
  const num = (s: string, fallback: number) => (/^\d+$/.test(s.trim()) ? Number(s) : fallback);
  const action: Door["action"] =
    d.actionKind === "open"
      ? { kind: "open", ports: toSteps(d.openPorts), durationSec: num(d.durationSec, 0) }
      : d.actionKind === "ban"
        ? { kind: "ban", durationSec: num(d.banDurationSec, 0) }
        : d.closeDoorName
          ? { kind: "close", doorName: d.closeDoorName }
          : { kind: "close" };
  const door: Door = {
    id: d.id === null ? "new" : String(d.id),
    name: d.name.trim() || "new-door",
    sequence: toSteps(d.steps),
    seqTimeoutMs: num(d.seqTimeoutSec, 25) * 1000,
    tcpFlags: { set, clear },
    action,
    cooldownMs: num(d.cooldownSec, 0) * 1000,
    tolerateDuplicates: d.tolerateDuplicates,
    enabled: d.enabled,
  };
  if (d.target.trim()) door.target = d.target.trim();
  return door;
}

/** Editor state for a stored door (or defaults for a new one). */
export function doorToDraft(door: Door | null, id: number | null, kind: "open" | "close" | "ban" = "open"): DoorDraft {
  const flags = Object.fromEntries(TCP_FLAG_NAMES.map((f) => [f, ""])) as DoorDraft["flags"];
  if (!door) {
    return {
      id: null,
      name: "",
      steps: toStepDrafts([]),
      seqTimeoutSec: "25",
      flags,
      target: "",
      actionKind: kind,
      openPorts: toStepDrafts(kind === "open" ? [{ port: 22, protocol: "tcp" }] : []),
      durationSec: "300",
      banDurationSec: "3600",
      closeDoorName: "",
      cooldownSec: "0",
      tolerateDuplicates: true,
      enabled: true,
      confirmLockout: false,
    };
  }
  for (const f of door.tcpFlags.set) flags[f] = "set";
  for (const f of door.tcpFlags.clear) flags[f] = "clear";
  const a = door.action;
  return {
    id,
    name: door.name,
    steps: toStepDrafts(door.sequence),
    seqTimeoutSec: String(Math.round(door.seqTimeoutMs / 1000)),
    flags,
    target: door.target ?? "",
    actionKind: a.kind === "command" ? "open" : a.kind,
    openPorts: toStepDrafts(a.kind === "open" ? a.ports : []),
    durationSec: String(a.kind === "open" ? a.durationSec : 300),
    banDurationSec: String(a.kind === "ban" ? a.durationSec : 3600),
    closeDoorName: a.kind === "close" ? (a.doorName ?? "") : "",
    cooldownSec: String(Math.round(door.cooldownMs / 1000)),
    tolerateDuplicates: door.tolerateDuplicates,
    enabled: door.enabled,
    confirmLockout: false,
  };
}
