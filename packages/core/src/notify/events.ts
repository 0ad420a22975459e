import type { Step } from "../types";
import type { NotifyKind } from "./kinds";

/**
 * One thing worth telling an admin, as plain data: what the notifier reads
 * from the database becomes one of these, the outbox stores it, and the
 * message builders (message.ts, presets.ts) turn it into a body at delivery.
 */
export type NotifyEvent =
  | {
      kind: "open";
      at: number;
      ip: string;
      /** The door that opened, or null when a user (SPA, rotating sequence) did. */
      door: string | null;
      user: string | null;
      ports: Step[];
      durationSec: number;
      /** A repeated open that only pushed the expiry later. */
      refreshed: boolean;
    }
  | { kind: "ban"; at: number; ip: string; door: string | null; durationSec: number | null }
  | { kind: "admin"; at: number; action: "unban" | "revoke"; actor: string; ip: string; door: string | null }
  | { kind: "worker"; at: number; state: "down" | "back" | "error"; detail: string }
  | { kind: "login"; at: number; address: string; scope: "client" | "global"; failures: number; lockSeconds: number }
  | { kind: "test"; at: number; channel: string }
  | { kind: "digest"; at: number; held: Partial<Record<NotifyKind, number>>; windowSec: number };

export type NotifyEventKind = NotifyEvent["kind"];
