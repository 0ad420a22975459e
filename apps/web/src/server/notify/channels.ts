import "server-only";
import { asc, desc, eq, notifyChannels, notifyOutbox, sql, type SesameDb } from "@sesame/db";
import type { ChannelConfig, NotifyKind } from "@sesame/core";

export type ChannelRow = typeof notifyChannels.$inferSelect;

/** A channel as pages see it: everything but the secrets, which become "set" flags. */
export interface ChannelView {
  id: number;
  name: string;
  type: "webhook" | "email";
  enabled: boolean;
  events: NotifyKind[];
  rateCount: number;
  ratePerSec: number;
  config: ChannelConfig;
  hasUrl: boolean;
  hasToken: boolean;
  hasPassword: boolean;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  sentCount: number;
  failedCount: number;
  droppedCount: number;
  heldCount: number;
  pending: number;
  /** The newest deliveries (sent, waiting or given up), newest first. */
  recent: { id: number; kind: string; status: string; attempts: number; createdAt: number; sentAt: number | null; nextAttemptAt: number; lastError: string | null }[];
}

export function toChannelView(row: ChannelRow, pending: number, recent: ChannelView["recent"]): ChannelView {
  const { secrets, createdAt: _c, updatedAt: _u, ...rest } = row;
  return { ...rest, hasUrl: !!secrets.url, hasToken: !!secrets.token, hasPassword: !!secrets.password, pending, recent };
}

function pendingCount(db: SesameDb, channelId: number): number {
  const row = db.$client.prepare("SELECT count(*) AS n FROM notify_outbox WHERE channel_id = ? AND status = 'pending'").get(channelId) as { n: number };
  return row.n;
}

function recentDeliveries(db: SesameDb, channelId: number, limit: number): ChannelView["recent"] {
  return db
    .select({
      id: notifyOutbox.id,
      kind: sql<string>`json_extract(${notifyOutbox.event}, '$.kind')`,
      status: notifyOutbox.status,
      attempts: notifyOutbox.attempts,
      createdAt: notifyOutbox.createdAt,
      sentAt: notifyOutbox.sentAt,
      nextAttemptAt: notifyOutbox.nextAttemptAt,
      lastError: notifyOutbox.lastError,
    })
    .from(notifyOutbox)
    .where(eq(notifyOutbox.channelId, channelId))
    .orderBy(desc(notifyOutbox.id))
    .limit(limit)
    .all();
}

export function findChannelViews(db: SesameDb, recent = 5): ChannelView[] {
  return db
    .select()
    .from(notifyChannels)
    .orderBy(asc(notifyChannels.name))
    .all()
    .map((r) => toChannelView(r, pendingCount(db, r.id), recentDeliveries(db, r.id, recent)));
}

export function findChannelView(db: SesameDb, id: number): ChannelView | undefined {
  const row = findChannel(db, id);
  return row ? toChannelView(row, pendingCount(db, id), recentDeliveries(db, id, 20)) : undefined;
}

/** With secrets: for delivery and for merging an edit. Never hand this to a page. */
export function findChannel(db: SesameDb, id: number): ChannelRow | undefined {
  return db.select().from(notifyChannels).where(eq(notifyChannels.id, id)).get();
}

export function findEnabledChannels(db: SesameDb): ChannelRow[] {
  return db.select().from(notifyChannels).where(eq(notifyChannels.enabled, true)).all();
}

/** What the audit log keeps of a channel: no secret, only whether one is set. */
export function auditSnapshot(row: ChannelRow): Record<string, unknown> {
  const { secrets, lastError: _e, lastErrorAt: _ea, lastSuccessAt: _s, sentCount: _sc, failedCount: _fc, droppedCount: _dc, heldCount: _hc, ...rest } = row;
  return { ...rest, url: secrets.url ? "set" : null, token: secrets.token ? "set" : null, password: secrets.password ? "set" : null };
}
