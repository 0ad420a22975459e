import type { Step } from "@sesame/core";
import type { Family } from "./addr";

/**
 * knockd-style command templates, each an argument vector (never a shell
 * string). Placeholders may appear anywhere inside an argument:
 * `%IP%`, `%PORT%`, `%PROTO%` (grant/revoke only) and `%TIMEOUT%` (seconds).
 * The `*6` variants are used for IPv6 addresses and fall back to the IPv4
 * ones, like knockd's Start_Command_6.
 */
export interface CommandTemplates {
  grant: string[][];
  revoke: string[][];
  ban?: string[][];
  unban?: string[][];
  grant6?: string[][];
  revoke6?: string[][];
  ban6?: string[][];
  unban6?: string[][];
}

export type TemplateKind = "grant" | "revoke" | "ban" | "unban";

export interface TemplateValues {
  ip: string;
  step?: Step;
  timeoutSec: number;
}

const PER_PORT = /%(PORT|PROTO)%/;

function checkList(name: string, list: unknown, perPortAllowed: boolean): void {
  if (!Array.isArray(list)) throw new RangeError(`command template ${name} must be an array of argument vectors`);
  for (const argv of list) {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== "string") || argv[0] === "") {
      throw new RangeError(`command template ${name}: each command is a non-empty array of strings, got ${JSON.stringify(argv)}`);
    }
    if (!perPortAllowed && argv.some((a: string) => PER_PORT.test(a))) {
      throw new RangeError(`command template ${name}: %PORT%/%PROTO% have no value for a ban (it covers every protected port)`);
    }
  }
}

/**
 * Reject templates that cannot work: a grant without a revoke (and a ban
 * without an unban) would never close, which is knockd's stacking defect.
 */
export function validateTemplates(t: CommandTemplates): void {
  checkList("grant", t.grant, true);
  checkList("revoke", t.revoke, true);
  if (t.grant.length === 0 || t.revoke.length === 0) throw new RangeError("command templates need at least one grant and one revoke command");
  for (const k of ["grant6", "revoke6"] as const) if (t[k] !== undefined) checkList(k, t[k], true);
  for (const k of ["ban", "unban", "ban6", "unban6"] as const) if (t[k] !== undefined) checkList(k, t[k], false);
  if ((t.ban?.length ?? 0) > 0 !== (t.unban?.length ?? 0) > 0) throw new RangeError("command templates: ban and unban go together");
}

/** The commands for one action and address family (IPv6 falls back to the IPv4 list). */
export function selectTemplate(t: CommandTemplates, kind: TemplateKind, family: Family): string[][] {
  const v6 = t[`${kind}6`];
  return (family === 6 && v6 && v6.length > 0 ? v6 : t[kind]) ?? [];
}

/** Substitute placeholders; values were validated (address, port, protocol), so no quoting is needed or done. */
export function expandTemplate(list: string[][], v: TemplateValues): string[][] {
  return list.map((argv) =>
    argv.map((arg) =>
      arg
        .replaceAll("%IP%", v.ip)
        .replaceAll("%PORT%", v.step ? String(v.step.port) : "")
        .replaceAll("%PROTO%", v.step ? v.step.protocol : "")
        .replaceAll("%TIMEOUT%", String(v.timeoutSec)),
    ),
  );
}
