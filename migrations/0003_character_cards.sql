ALTER TABLE `characters` ADD `scenario` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `first_message` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `example_messages` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `post_history_instructions` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `alternate_greetings` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `creator_notes` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `creator` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `character_version` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `nickname` text;--> statement-breakpoint
ALTER TABLE `characters` ADD `extensions` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `characters` ADD `character_book` text;