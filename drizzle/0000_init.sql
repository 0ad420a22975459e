CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_ts_idx` ON `audit` (`ts`);--> statement-breakpoint
CREATE TABLE `bans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ip` text NOT NULL,
	`family` integer NOT NULL,
	`door_id` integer,
	`door_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`lifted_at` integer,
	`lifted_reason` text,
	`applied_expires_at` integer,
	`applied_lifted_at` integer,
	FOREIGN KEY (`door_id`) REFERENCES `doors`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `bans_active_idx` ON `bans` (`lifted_at`,`expires_at`);--> statement-breakpoint
CREATE INDEX `bans_ip_idx` ON `bans` (`ip`);--> statement-breakpoint
CREATE TABLE `doors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`sequence` text NOT NULL,
	`one_time_sequences` text,
	`one_time_index` integer DEFAULT 0 NOT NULL,
	`seq_timeout_ms` integer DEFAULT 25000 NOT NULL,
	`tcp_flags` text DEFAULT '{"set":[],"clear":[]}' NOT NULL,
	`target` text,
	`action` text NOT NULL,
	`open_ports` text,
	`duration_sec` integer DEFAULT 300 NOT NULL,
	`close_door_name` text,
	`command_section` text,
	`command_preview` text,
	`cooldown_ms` integer DEFAULT 0 NOT NULL,
	`tolerate_duplicates` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`source` text DEFAULT 'ui' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `doors_name_uq` ON `doors` (`name`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`ip` text,
	`door_id` integer,
	`door_name` text,
	`kind` text NOT NULL,
	`stage` integer,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `events_ts_idx` ON `events` (`ts`);--> statement-breakpoint
CREATE INDEX `events_kind_ts_idx` ON `events` (`kind`,`ts`);--> statement-breakpoint
CREATE INDEX `events_ip_ts_idx` ON `events` (`ip`,`ts`);--> statement-breakpoint
CREATE INDEX `events_door_ts_idx` ON `events` (`door_name`,`ts`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ip` text NOT NULL,
	`family` integer NOT NULL,
	`ports` text NOT NULL,
	`door_id` integer,
	`door_name` text NOT NULL,
	`opened_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`closed_at` integer,
	`closed_reason` text,
	`applied_expires_at` integer,
	`applied_closed_at` integer,
	FOREIGN KEY (`door_id`) REFERENCES `doors`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `grants_open_idx` ON `grants` (`closed_at`,`expires_at`);--> statement-breakpoint
CREATE INDEX `grants_ip_idx` ON `grants` (`ip`);--> statement-breakpoint
CREATE TABLE `login_attempts` (
	`address` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`first_failure_at` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `trusted_networks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cidr` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`expires_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trusted_cidr_uq` ON `trusted_networks` (`cidr`);--> statement-breakpoint
CREATE TABLE `worker_status` (
	`id` integer PRIMARY KEY NOT NULL,
	`pid` integer NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL,
	`interfaces` text NOT NULL,
	`backend` text NOT NULL,
	`applied_config_version` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_error_at` integer,
	`stats` text
);
