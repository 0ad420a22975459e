CREATE TABLE `web_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_reason` text,
	`client_address` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `web_sessions_expires_idx` ON `web_sessions` (`expires_at`);