CREATE TABLE `forwards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`protocol` text NOT NULL,
	`port` integer NOT NULL,
	`to_address` text NOT NULL,
	`to_port` integer NOT NULL,
	`dnat` integer DEFAULT true NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `forwards_name_uq` ON `forwards` (`name`);--> statement-breakpoint
ALTER TABLE `users` ADD `require_source_address` integer DEFAULT false NOT NULL;