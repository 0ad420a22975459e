/**
 * What to do when a door's sequence completes. Pure: trust and ban lookups
 * are injected; the worker carries the decisions out.
 */
import type { Door, Step } from "../types";

export type Decision =
  | { kind: "grant"; ip: string; family: 4 | 6; door: string; ports: Step[]; durationSec: number }
  | { kind: "revoke"; ip: string; door: string; onlyDoor?: string }
  | { kind: "ban"; ip: string; family: 4 | 6; door: string; durationSec: number }
  /** Decoy knocked from a trusted address: never ban. */
  | { kind: "skip-trusted"; ip: string; door: string }
  /** Banned IP completed an open sequence: no grant. */
  | { kind: "ignore-banned"; ip: string; door: string }
  /** knockd-style commands, %IP% substituted, *_6 variants chosen for IPv6. */
  | { kind: "command"; ip: string; family: 4 | 6; door: string; start: string; stop?: string; stopAfterSec: number };

export interface DecisionContext {
  isTrusted(ip: string): boolean;
  isBanned(ip: string): boolean;
}

/** knockd's substitution: every %IP% becomes the knocker's address (split/join: no regex specials). */
function substituteIp(command: string, ip: string): string {
  return command.split("%IP%").join(ip);
}

/**
 * Decides the actions for a completed sequence (`ev.door` is the door that
 * opened; decisions carry its id). Commands run as knockd would run them:
 * knockd has no bans, so a command door does not consult ban state.
 */
export function decideActions(ev: { ip: string; family: 4 | 6; door: Door }, ctx: DecisionContext): Decision[] {
  const { ip, family, door } = ev;
  const action = door.action;
  switch (action.kind) {
    case "open":
      if (ctx.isBanned(ip)) return [{ kind: "ignore-banned", ip, door: door.id }];
      return [{ kind: "grant", ip, family, door: door.id, ports: action.ports.map((p) => ({ ...p })), durationSec: action.durationSec }];
    case "close": {
      const revoke: Decision = { kind: "revoke", ip, door: door.id };
      if (action.doorName !== undefined) revoke.onlyDoor = action.doorName;
      return [revoke];
    }
    case "ban":
      if (ctx.isTrusted(ip)) return [{ kind: "skip-trusted", ip, door: door.id }];
      return [{ kind: "ban", ip, family, door: door.id, durationSec: action.durationSec }];
    case "command": {
      // knockd: Start_Command_6 / Stop_Command_6 for IPv6 knockers, falling back to the IPv4 ones.
      const start = family === 6 ? (action.start6 ?? action.start) : action.start;
      const stop = family === 6 ? (action.stop6 ?? action.stop) : action.stop;
      // An empty Start_Command_6 means "do nothing for IPv6" (knockd's manual), not "fall back".
      if (start === "") return [];
      const decision: Decision = { kind: "command", ip, family, door: door.id, start: substituteIp(start, ip), stopAfterSec: action.cmdTimeoutSec };
      if (stop !== undefined && stop !== "") decision.stop = substituteIp(stop, ip);
      return [decision];
    }
  }
}
