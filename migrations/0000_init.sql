CREATE TABLE `characters` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`personality` text DEFAULT '' NOT NULL,
	`avatar_url` text,
	`voice_model` text,
	`video_model` text,
	`capabilities` text NOT NULL,
	`configuration` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`session_id` text NOT NULL,
	`character_id` text NOT NULL,
	`key_id` text NOT NULL,
	`started_at` text NOT NULL,
	`last_message_at` text NOT NULL,
	PRIMARY KEY(`session_id`, `character_id`)
);
--> statement-breakpoint
CREATE INDEX `conversations_character_idx` ON `conversations` (`character_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `conversations_last_message_idx` ON `conversations` (`last_message_at`);