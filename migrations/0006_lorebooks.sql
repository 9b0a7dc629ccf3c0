CREATE TABLE `lorebook_chunks` (
	`lorebook_id` text NOT NULL,
	`part` text NOT NULL,
	`seq` integer NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`lorebook_id`, `part`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `lorebooks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`format` text NOT NULL,
	`entry_count` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lorebooks_created_idx` ON `lorebooks` (`created_at`);--> statement-breakpoint
ALTER TABLE `characters` ADD `lorebook_ids` text DEFAULT '[]' NOT NULL;