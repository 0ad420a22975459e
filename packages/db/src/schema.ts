import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { ChannelConfig, ChannelSecrets, NotifyEvent, NotifyKind, Step, TcpFlagRule } from "@sesame/core";

/**
 * The shared database. The web app writes desired state (doors, trusted
 * networks, revoke/extend/unban requests, settings); the worker applies it to
 * the firewall and writes what happened (grants, bans, events, heartbeat).
 * Times are integers in ms since the epoch.
 */

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

export const doors = sqliteTable(
  "doors",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    /** Knock sequence (JSON array of {port, protocol}). */
    sequence: text({ mode: "json" }).$type<Step[]>().notNull(),
    /** One_Time_Sequences: all sequences; `oneTimeIndex` is the next unused one. */
    oneTimeSequences: text({ mode: "json" }).$type<Step[][]>(),
    oneTimeIndex: integer().notNull().default(0),
    seqTimeoutMs: integer().notNull().default(25_000),
    tcpFlags: text({ mode: "json" }).$type<TcpFlagRule>().notNull().default(sql`'{"set":[],"clear":[]}'`),
    target: text(),
    /** open | close | ban | command */
    action: text({ enum: ["open", "close", "ban", "command"] }).notNull(),
    /** open: ports to accept (JSON Step[]). */
    openPorts: text({ mode: "json" }).$type<Step[]>(),
    /** open: grant length; ban: ban length. */
    durationSec: integer().notNull().default(300),
    /** close: only revoke grants from this door (by name); null = all of the IP's grants. */
    closeDoorName: text(),
    /**
     * command: the knockd.conf section this door was imported from. The
     * commands themselves are never stored here: the worker runs them only from
     * its root-owned config file.
     */
    commandSection: text(),
    /** Display copy of the imported commands (never executed from the database). */
    commandPreview: text(),
    cooldownMs: integer().notNull().default(0),
    tolerateDuplicates: integer({ mode: "boolean" }).notNull().default(false),
    enabled: integer({ mode: "boolean" }).notNull().default(true),
    /** Where the door came from: ui | knockd-conf */
    source: text({ enum: ["ui", "knockd-conf"] }).notNull().default("ui"),
    createdAt: integer().notNull().default(now),
    updatedAt: integer().notNull().default(now),
  },
  (t) => [uniqueIndex("doors_name_uq").on(t.name)],
);

export const trustedNetworks = sqliteTable(
  "trusted_networks",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    /** Canonical CIDR (network address, prefix), IPv4 or IPv6. */
    cidr: text().notNull(),
    comment: text().notNull().default(""),
    expiresAt: integer(),
    createdAt: integer().notNull().default(now),
  },
  (t) => [uniqueIndex("trusted_cidr_uq").on(t.cidr)],
);

/**
 * Gateway mode: a service behind this host, reached through it. Its
 * public `port` is a protected port like any other (a door or user whose
 * grant names it opens it); new connections to it are forwarded only for
 * granted, trusted and not banned sources. With `dnat` the gateway
 * rewrites (protocol, port) to `toAddress:toPort` (fwknop's FORCE_NAT);
 * without, clients address `toAddress` directly and the gateway only gates
 * what it routes (`toPort` is then the port gated, equal to `port`).
 */
export const forwards = sqliteTable(
  "forwards",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    comment: text().notNull().default(""),
    protocol: text({ enum: ["tcp", "udp"] }).notNull(),
    /** The port a grant names (on the gateway with dnat, on toAddress without). */
    port: integer().notNull(),
    /** The inside host (canonical IPv4 or IPv6). */
    toAddress: text().notNull(),
    toPort: integer().notNull(),
    dnat: integer({ mode: "boolean" }).notNull().default(true),
    enabled: integer({ mode: "boolean" }).notNull().default(true),
    createdAt: integer().notNull().default(now),
    updatedAt: integer().notNull().default(now),
  },
  (t) => [uniqueIndex("forwards_name_uq").on(t.name)],
);

export const grants = sqliteTable(
  "grants",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    ip: text().notNull(),
    family: integer().notNull(),
    ports: text({ mode: "json" }).$type<Step[]>().notNull(),
    doorId: integer().references(() => doors.id, { onDelete: "set null" }),
    doorName: text().notNull(),
    /** Who opened it: set for SPA and rotating-sequence grants (doorName then names the method). */
    userId: integer(),
    userName: text(),
    openedAt: integer().notNull(),
    /** Desired expiry; the UI may push it later (extend). */
    expiresAt: integer().notNull(),
    /** Set when closed: by expiry, revoke from the UI, a close sequence, or a replacing grant. */
    closedAt: integer(),
    closedReason: text({ enum: ["expired", "revoked", "close-sequence", "replaced", "banned"] }),
    /** expiresAt/closedAt as last applied to the kernel by the worker (null: not yet applied). */
    appliedExpiresAt: integer(),
    appliedClosedAt: integer(),
  },
  (t) => [
    index("grants_open_idx").on(t.closedAt, t.expiresAt),
    index("grants_ip_idx").on(t.ip),
  ],
);

export const bans = sqliteTable(
  "bans",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    ip: text().notNull(),
    family: integer().notNull(),
    doorId: integer().references(() => doors.id, { onDelete: "set null" }),
    doorName: text().notNull(),
    createdAt: integer().notNull(),
    expiresAt: integer().notNull(),
    liftedAt: integer(),
    liftedReason: text({ enum: ["expired", "unbanned"] }),
    appliedExpiresAt: integer(),
    appliedLiftedAt: integer(),
  },
  (t) => [index("bans_active_idx").on(t.liftedAt, t.expiresAt), index("bans_ip_idx").on(t.ip)],
);

export const events = sqliteTable(
  "events",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    ts: integer().notNull(),
    ip: text(),
    doorId: integer(),
    doorName: text(),
    /** The user an SPA or rotating-sequence event belongs to (null for door knocks and unknown senders). */
    userName: text(),
    /** One of EVENT_KINDS in @sesame/core. */
    kind: text().notNull(),
    stage: integer(),
    detail: text(),
  },
  (t) => [
    index("events_ts_idx").on(t.ts),
    index("events_kind_ts_idx").on(t.kind, t.ts),
    index("events_ip_ts_idx").on(t.ip, t.ts),
    index("events_door_ts_idx").on(t.doorName, t.ts),
    // A user's recent activity (the user page) and History's user filter.
    index("events_user_ts_idx").on(t.userName, t.ts),
  ],
);

/** Key/value settings (JSON values): interfaces, backend, retention, configVersion, … */
export const settings = sqliteTable("settings", {
  key: text().primaryKey(),
  value: text({ mode: "json" }).notNull(),
  updatedAt: integer().notNull().default(now),
});

/** Who changed what and when, for every config change. */
export const audit = sqliteTable(
  "audit",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    ts: integer().notNull().default(now),
    actor: text().notNull(),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    before: text({ mode: "json" }),
    after: text({ mode: "json" }),
  },
  (t) => [index("audit_ts_idx").on(t.ts)],
);

/** One row per worker (id 1): heartbeat and what it has applied. */
export const workerStatus = sqliteTable("worker_status", {
  id: integer().primaryKey(),
  pid: integer().notNull(),
  startedAt: integer().notNull(),
  heartbeatAt: integer().notNull(),
  interfaces: text({ mode: "json" }).$type<string[]>().notNull(),
  backend: text().notNull(),
  /** settings.configVersion last applied (the UI shows "applied" when it catches up). */
  appliedConfigVersion: integer().notNull().default(0),
  lastError: text(),
  lastErrorAt: integer(),
  stats: text({ mode: "json" }).$type<Record<string, number>>(),
});

/** Failed logins per client block (an IPv4 address or an IPv6 /64: core clientBlock), for throttling. */
export const loginAttempts = sqliteTable("login_attempts", {
  address: text().primaryKey(),
  failures: integer().notNull().default(0),
  firstFailureAt: integer().notNull(),
  lockedUntil: integer(),
});

/**
 * Admin sessions, so a logout or a password change ends them on the server
 * too (the sealed cookie alone would stay valid until it expires). The
 * cookie carries `id`; every request checks the row.
 */
export const webSessions = sqliteTable(
  "web_sessions",
  {
    /** Random (32 bytes, base64url); only ever sent inside the sealed cookie. */
    id: text().primaryKey(),
    user: text().notNull(),
    createdAt: integer().notNull(),
    expiresAt: integer().notNull(),
    revokedAt: integer(),
    revokedReason: text({ enum: ["logout", "password-change"] }),
    /** Where it was started from (audit, and for the admin to recognise it). */
    clientAddress: text().notNull(),
  },
  (t) => [index("web_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * People (or machines) who open ports with their own credentials: SPA
 * (fwknop-compatible) or a rotating TOTP knock sequence. Grants and events
 * carry the user's name.
 */
export const users = sqliteTable(
  "users",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    comment: text().notNull().default(""),
    enabled: integer({ mode: "boolean" }).notNull().default(true),
    /** After this the user opens nothing (ms; null = never). */
    expiresAt: integer(),
    /** Source networks the user may open from (canonical CIDRs); empty = any address. */
    sources: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Ports the user may open (JSON Step[]); these are protected ports. */
    ports: text({ mode: "json" }).$type<Step[]>().notNull(),
    /** Longest grant the user may get (an SPA client's timeout is capped by it). */
    maxGrantSec: integer().notNull().default(300),
    /** Grant length when the client asks for none (SPA without a timeout, rotating sequences). */
    grantSec: integer().notNull().default(30),
    /**
     * fwknopd's REQUIRE_SOURCE_ADDRESS: an SPA message must name the address it
     * comes from (a client's `-a`/`-R`); "0.0.0.0" (open for whoever sends it) is refused.
     */
    requireSourceAddress: integer({ mode: "boolean" }).notNull().default(false),
    createdAt: integer().notNull().default(now),
    updatedAt: integer().notNull().default(now),
  },
  (t) => [uniqueIndex("users_name_uq").on(t.name)],
);

/**
 * A user's credentials. Key material is shown once, at generation or
 * rotation; the worker reads it from here. A rotated credential keeps working
 * until `expiresAt` (the grace period); a revoked one stops at once.
 */
export const userCredentials = sqliteTable(
  "user_credentials",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text({ enum: ["spa", "totp"] }).notNull(),
    /** spa: Rijndael key (base64) and HMAC key (base64); HMAC digest (sha256, sha1, sha384, sha512, md5). */
    spaKey: text(),
    spaHmacKey: text(),
    spaHmacDigest: text({ enum: ["md5", "sha1", "sha256", "sha384", "sha512", "sha3_256", "sha3_512"] }),
    /** spa: accept packets without an HMAC (old clients); off unless set on purpose. */
    spaLegacyNoHmac: integer({ mode: "boolean" }).notNull().default(false),
    /** totp: the shared secret (base32, RFC 4648, no padding). */
    totpSecret: text(),
    createdAt: integer().notNull().default(now),
    expiresAt: integer(),
    revokedAt: integer(),
    lastUsedAt: integer(),
  },
  (t) => [index("user_credentials_user_idx").on(t.userId)],
);

/**
 * What was already accepted, so a replayed SPA packet or a reused rotating
 * sequence is refused, also after a restart: `spa:<SHA-256 of the packet>` or
 * `totp:<credential id>:<time step>`. Rows are kept only as long as the
 * message could still be accepted (the age window), so the table stays small.
 */
export const replayCache = sqliteTable(
  "replay_cache",
  {
    key: text().primaryKey(),
    seenAt: integer().notNull(),
    expiresAt: integer().notNull(),
  },
  (t) => [index("replay_cache_expires_idx").on(t.expiresAt)],
);

/**
 * Where notifications go (issue 14): a webhook or an SMTP server, the events
 * it wants, its rate limit, and what happened to its deliveries. Written by
 * the web app only (admin changes and its notifier); the worker never reads it.
 */
export const notifyChannels = sqliteTable(
  "notify_channels",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    type: text({ enum: ["webhook", "email"] }).notNull(),
    enabled: integer({ mode: "boolean" }).notNull().default(true),
    /** NotifyKind[] this channel is sent. */
    events: text({ mode: "json" }).$type<NotifyKind[]>().notNull(),
    /** Rate limit: at most rateCount messages per ratePerSec seconds, the rest as one digest. */
    rateCount: integer().notNull().default(10),
    ratePerSec: integer().notNull().default(60),
    /** What the UI shows (webhook: body preset and the URL's host; email: server, sender, recipients). */
    config: text({ mode: "json" }).$type<ChannelConfig>().notNull(),
    /** Webhook URL and token, SMTP password: used for delivery, never sent to a browser. */
    secrets: text({ mode: "json" }).$type<ChannelSecrets>().notNull().default(sql`'{}'`),
    createdAt: integer().notNull().default(now),
    updatedAt: integer().notNull().default(now),
    lastSuccessAt: integer(),
    lastErrorAt: integer(),
    lastError: text(),
    /** Delivered messages, failed attempts, messages given up after every retry, events folded into digests. */
    sentCount: integer().notNull().default(0),
    failedCount: integer().notNull().default(0),
    droppedCount: integer().notNull().default(0),
    heldCount: integer().notNull().default(0),
  },
  (t) => [uniqueIndex("notify_channels_name_uq").on(t.name)],
);

/**
 * Messages waiting for (or done with) delivery: one row per channel and
 * event, retried with back-off until sent or given up. Sent rows are pruned
 * after a week.
 */
export const notifyOutbox = sqliteTable(
  "notify_outbox",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    channelId: integer()
      .notNull()
      .references(() => notifyChannels.id, { onDelete: "cascade" }),
    createdAt: integer().notNull(),
    event: text({ mode: "json" }).$type<NotifyEvent>().notNull(),
    status: text({ enum: ["pending", "sent", "dropped"] }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: integer().notNull(),
    sentAt: integer(),
    lastError: text(),
  },
  (t) => [index("notify_outbox_due_idx").on(t.status, t.nextAttemptAt), index("notify_outbox_channel_idx").on(t.channelId, t.status)],
);

/** How far the notifier has read each source table ("events", "audit"), so a restart neither repeats nor skips. */
export const notifyCursors = sqliteTable("notify_cursors", {
  source: text().primaryKey(),
  lastId: integer().notNull(),
  updatedAt: integer().notNull(),
});

/**
 * Tokens for the automation API (/api/v1), created in the UI and shown once:
 * only the SHA-256 of the token is kept (32 random bytes: a fast hash is
 * enough), with its first characters to tell tokens apart. `scopes` is a
 * JSON list of core's API_TOKEN_SCOPES. Revoked tokens stay for the audit.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    name: text().notNull(),
    scopes: text({ mode: "json" }).$type<string[]>().notNull(),
    sha256: text().notNull(),
    prefix: text().notNull(),
    createdAt: integer().notNull().default(now),
    createdBy: text().notNull(),
    expiresAt: integer(),
    lastUsedAt: integer(),
    revokedAt: integer(),
  },
  (t) => [uniqueIndex("api_tokens_sha256_uq").on(t.sha256)],
);
