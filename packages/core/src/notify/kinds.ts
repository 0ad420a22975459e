/**
 * What a notification channel can be told about. Each kind is one checkbox
 * per channel; the rows behind them (events, audit, the worker's heartbeat)
 * are read by the web server's notifier, never by the worker.
 */
export const NOTIFY_KINDS = ["open", "ban", "admin", "worker", "login"] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

/** Labels for the channel form and the channel list. */
export const NOTIFY_KIND_LABELS: Record<NotifyKind, string> = {
  open: "OPEN SESAME (door or user, address, ports, duration)",
  ban: "Bans (a decoy was knocked)",
  admin: "Unban or revoke by an admin",
  worker: "Worker down, back or failing",
  login: "Admin logins locked after repeated failures",
};

/** One word per kind, for digests ("37 more bans"). */
export const NOTIFY_KIND_NOUNS: Record<NotifyKind, [singular: string, plural: string]> = {
  open: ["open", "opens"],
  ban: ["ban", "bans"],
  admin: ["admin action", "admin actions"],
  worker: ["worker alert", "worker alerts"],
  login: ["login lock", "login locks"],
};

export function isNotifyKind(v: unknown): v is NotifyKind {
  return typeof v === "string" && (NOTIFY_KINDS as readonly string[]).includes(v);
}
