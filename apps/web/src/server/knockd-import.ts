import "server-only";
import { doorToRow, knockdDoorToDoor, parseKnockdConf, parseOneTimeSequences, unusedOneTimeSequences, type DoorRow, type KnockdConfig } from "@sesame/core";
import { describeCommandDoorImportSkip, isCommandDoor } from "./command-doors";
import type { DoorRecord } from "./queries/doors";

export type ImportMode = "merge" | "replace";

export interface ImportPlan {
  config: KnockdConfig;
  warnings: { line: number; message: string }[];
  added: DoorRow[];
  changed: { row: DoorRow; old: DoorRecord; changes: string[] }[];
  unchanged: string[];
  /** Sections naming an existing command door: never applied (see command-doors.ts). */
  skipped: { name: string; reason: string }[];
  /** Doors not in the file: deleted in "replace" mode, kept in "merge" mode. */
  missing: DoorRecord[];
  interfaces: { from: string[]; to: string[] } | null;
}

export type PlanResult = { ok: true; plan: ImportPlan } | { ok: false; errors: { line: number; message: string }[] };

const COMPARED: (keyof DoorRow)[] = [
  "sequence",
  "oneTimeSequences",
  "seqTimeoutMs",
  "tcpFlags",
  "target",
  "action",
  "openPorts",
  "durationSec",
  "closeDoorName",
  "commandSection",
  "commandPreview",
];

const LABEL: Partial<Record<keyof DoorRow, string>> = {
  sequence: "sequence",
  oneTimeSequences: "one-time sequences",
  seqTimeoutMs: "timeout",
  tcpFlags: "TCP flags",
  target: "target",
  action: "action",
  durationSec: "command timeout",
  commandPreview: "commands",
};

/**
 * What importing this knockd.conf would do to the current doors. Every
 * section becomes a "command" door (source knockd-conf): its commands are
 * kept for display only and run only if the worker reads the same file (-c).
 * `oneTimeFiles` are uploaded One_Time_Sequences files by file name: a
 * section naming one (by path or by its last component) gets its unused
 * sequences, kept in the database like a one-time door made in the UI.
 */
export function planImport(text: string, current: DoorRecord[], currentInterfaces: string[], oneTimeFiles: Record<string, string> = {}): PlanResult {
  const parsed = parseKnockdConf(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const warnings = [...parsed.warnings];
  const byName = new Map(current.map((d) => [d.name, d]));
  const plan: ImportPlan = { config: parsed.config, warnings, added: [], changed: [], unchanged: [], skipped: [], missing: [], interfaces: null };
  const seen = new Set<string>();
  for (const kd of parsed.config.doors) {
    let oneTime: ReturnType<typeof parseOneTimeSequences> | undefined;
    const path = kd.oneTimeSequencesFile;
    if (path) {
      const base = path.split("/").pop() ?? path;
      const content = oneTimeFiles[path] ?? oneTimeFiles[base];
      if (content === undefined) {
        warnings.push({
          line: kd.line,
          message: `[${kd.name}] uses One_Time_Sequences = ${path}: upload ${base} with the file to import its sequences; without it the door is imported without a sequence.`,
        });
      } else {
        oneTime = parseOneTimeSequences(content);
        for (const e of oneTime.errors) warnings.push({ line: kd.line, message: `[${kd.name}] ${base} line ${e.line}: ${e.message} (skipped)` });
        if (unusedOneTimeSequences(oneTime).length === 0) {
          warnings.push({ line: kd.line, message: `[${kd.name}] ${base} has no unused sequence left: the door is imported inactive.` });
        }
      }
    }
    const row = doorToRow(knockdDoorToDoor(kd, oneTime), "knockd-conf");
    seen.add(row.name);
    const old = byName.get(row.name);
    if (!old) {
      plan.added.push(row);
      continue;
    }
    const changes = COMPARED.filter((k) => JSON.stringify(row[k] ?? null) !== JSON.stringify(old[k] ?? null)).map((k) => LABEL[k] ?? String(k));
    if (old.source === "ui") changes.unshift("replaces a door made in the UI");
    if (changes.length && isCommandDoor(old)) plan.skipped.push({ name: row.name, reason: describeCommandDoorImportSkip(row.name) });
    else if (changes.length) plan.changed.push({ row, old, changes: [...new Set(changes)] });
    else plan.unchanged.push(row.name);
  }
  plan.missing = current.filter((d) => !seen.has(d.name));
  const iface = parsed.config.options.interface;
  if (iface && (currentInterfaces.length !== 1 || currentInterfaces[0] !== iface)) {
    plan.interfaces = { from: currentInterfaces, to: [iface] };
  }
  return { ok: true, plan };
}
