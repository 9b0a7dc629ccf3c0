CREATE TABLE `ratings` (
	`message_id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`character_id` text NOT NULL,
	`key_id` text NOT NULL,
	`rating` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ratings_character_idx` ON `ratings` (`character_id`);--> statement-breakpoint
CREATE TABLE `media_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`media_type` text NOT NULL,
	`kind` text NOT NULL,
	`character_id` text NOT NULL,
	`text` text NOT NULL,
	`settings` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`input` text,
	`prediction_id` text,
	`webhook_token_hash` text,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`submit_attempts` integer DEFAULT 0 NOT NULL,
	`error_code` text,
	`error_message` text,
	`depends_on` text,
	`session_id` text,
	`message_id` text,
	`asset_name` text NOT NULL,
	`output_url` text,
	`duration_seconds` real,
	`file_size_bytes` integer,
	`resolution` text,
	`format` text,
	`has_thumbnail` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	`last_event_at` text NOT NULL,
	`deadline_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `media_requests_prediction_idx` ON `media_requests` (`provider`,`prediction_id`);--> statement-breakpoint
CREATE INDEX `media_requests_open_idx` ON `media_requests` (`status`,`last_event_at`);--> statement-breakpoint
CREATE INDEX `media_requests_depends_idx` ON `media_requests` (`depends_on`);--> statement-breakpoint
CREATE INDEX `media_requests_created_idx` ON `media_requests` (`created_at`);--> statement-breakpoint
CREATE TABLE `media_transitions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`progress` integer NOT NULL,
	`source` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `media_transitions_request_idx` ON `media_transitions` (`request_id`,`id`);--> statement-breakpoint
CREATE TABLE `media_webhooks` (
	`webhook_id` text PRIMARY KEY NOT NULL,
	`request_id` text,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `session_media_settings` (
	`session_id` text PRIMARY KEY NOT NULL,
	`voice` integer NOT NULL,
	`video` integer NOT NULL,
	`updated_at` text NOT NULL
);
