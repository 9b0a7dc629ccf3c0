CREATE TABLE `socket_sessions` (
	`key_id` text NOT NULL,
	`session_id` text NOT NULL,
	`last_auth_at` text NOT NULL,
	PRIMARY KEY(`key_id`, `session_id`)
);
