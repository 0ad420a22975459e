import { z } from "zod";
import { StoredPortsSchema } from "../web/stored-steps";
import type { NotifyEvent } from "./events";

/**
 * Rows of the shared database → notification events. Pure: the web
 * server's notifier reads the rows (by id, past its cursor) and hands them
 * here. Anything malformed is skipped rather than guessed at.
 */

/** The events-table kinds that can become a notification (the notifier's query filters on these). */
export const NOTIFYING_EVENT_KINDS = ["open", "ban"] as const;
/** The audit actions that can become a notification. */
export const NOTIFYING_AUDIT_ACTIONS = ["unban", "revoke", "login-failed"] as const;

export interface EventRowLike {
  ts: number;
  ip: string | null;
  doorName: string | null;
  userName?: string | null;
  kind: string;
  detail: string | null;
}

export interface AuditRowLike {
  ts: number;
  actor: string;
  action: string;
  entity: string;
  after: unknown;
}

const OpenDetailSchema = z.object({
  ports: StoredPortsSchema,
  durationSec: z.number().int().min(0),
  refreshed: z.boolean().optional(),
});
const BanDetailSchema = z.object({ durationSec: z.number().int().min(0) });

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** An OPEN SESAME or a ban written by the worker; null for every other row. */
export function notifyEventFromEventRow(row: EventRowLike): NotifyEvent | null {
  if (!row.ip) return null;
  if (row.kind === "open") {
    const d = OpenDetailSchema.safeParse(parseJson(row.detail));
    if (!d.success) return null;
    return {
      kind: "open",
      at: row.ts,
      ip: row.ip,
      door: row.doorName,
      user: row.userName ?? null,
      ports: d.data.ports,
      durationSec: d.data.durationSec,
      refreshed: d.data.refreshed ?? false,
    };
  }
  if (row.kind === "ban") {
    const d = BanDetailSchema.safeParse(parseJson(row.detail));
    return { kind: "ban", at: row.ts, ip: row.ip, door: row.doorName, durationSec: d.success ? d.data.durationSec : null };
  }
  return null;
}

const AdminAfterSchema = z.object({ ip: z.string().min(1), door: z.string().nullish() });
const LoginAfterSchema = z.object({
  address: z.string().min(1),
  throttle: z.object({
    failures: z.number().int(),
    globalFailures: z.number().int().optional(),
    locked: z.object({ scope: z.enum(["client", "global"]), seconds: z.number().int().min(0) }).nullable(),
  }),
});

/**
 * An admin's unban or revoke, or a failed login that put a lock in place
 * (a failure under the throttle is not news; the lock is). null otherwise.
 */
export function notifyEventFromAuditRow(row: AuditRowLike): NotifyEvent | null {
  const after = typeof row.after === "string" ? parseJson(row.after) : row.after;
  if ((row.action === "unban" && row.entity === "ban") || (row.action === "revoke" && row.entity === "grant")) {
    const a = AdminAfterSchema.safeParse(after);
    if (!a.success) return null;
    return { kind: "admin", at: row.ts, action: row.action, actor: row.actor, ip: a.data.ip, door: a.data.door ?? null };
  }
  if (row.action === "login-failed") {
    const a = LoginAfterSchema.safeParse(after);
    if (!a.success || !a.data.throttle.locked) return null;
    const locked = a.data.throttle.locked;
    return {
      kind: "login",
      at: row.ts,
      address: a.data.address,
      scope: locked.scope,
      failures: locked.scope === "global" ? (a.data.throttle.globalFailures ?? a.data.throttle.failures) : a.data.throttle.failures,
      lockSeconds: locked.seconds,
    };
  }
  return null;
}
