CREATE TABLE `memory_scopes` (
	`object_id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`character_id` text NOT NULL,
	`user_id` text,
	`session_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `memory_scopes_user_idx` ON `memory_scopes` (`character_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `memory_scopes_session_idx` ON `memory_scopes` (`character_id`,`session_id`);