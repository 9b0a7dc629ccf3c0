import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every status change of a media job, with its time: the audit trail and the basis of generation-time metrics. */
export const mediaTransitions = sqliteTable(
  "media_transitions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    progress: integer("progress").notNull(),
    /** What moved it: submit, webhook, reconcile, cancel, chain. */
    source: text("source").notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("media_transitions_request_idx").on(t.requestId, t.id)],
);

/** Webhook ids already applied, so a redelivery or replay is acknowledged and ignored. */
export const mediaWebhooks = sqliteTable("media_webhooks", {
  webhookId: text("webhook_id").primaryKey(),
  requestId: text("request_id"),
  receivedAt: text("received_at").notNull(),
});

/** A session's media switch (no row: media on, as the character allows). */
export const sessionMediaSettings = sqliteTable("session_media_settings", {
  sessionId: text("session_id").primaryKey(),
  voice: integer("voice", { mode: "boolean" }).notNull(),
  video: integer("video", { mode: "boolean" }).notNull(),
  updatedAt: text("updated_at").notNull(),
});
