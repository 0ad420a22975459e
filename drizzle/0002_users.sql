CREATE TABLE `replay_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `replay_cache_expires_idx` ON `replay_cache` (`expires_at`);--> statement-breakpoint
CREATE TABLE `user_credentials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`spa_key` text,
	`spa_hmac_key` text,
	`spa_hmac_digest` text,
	`spa_legacy_no_hmac` integer DEFAULT false NOT NULL,
	`totp_secret` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_credentials_user_idx` ON `user_credentials` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`expires_at` integer,
	`sources` text DEFAULT '[]' NOT NULL,
	`ports` text NOT NULL,
	`max_grant_sec` integer DEFAULT 300 NOT NULL,
	`grant_sec` integer DEFAULT 30 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_uq` ON `users` (`name`);--> statement-breakpoint
ALTER TABLE `events` ADD `user_name` text;--> statement-breakpoint
ALTER TABLE `grants` ADD `user_id` integer;--> statement-breakpoint
ALTER TABLE `grants` ADD `user_name` text;