import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One media generation job (a voice, a talking head or a scene), from request to file in R2. */
export const mediaRequests = sqliteTable(
  "media_requests",
  {
    id: text("id").primaryKey(),
    keyId: text("key_id").notNull(),
    mediaType: text("media_type").$type<"voice" | "video">().notNull(),
    kind: text("kind").$type<"voice" | "talking_head" | "scene">().notNull(),
    characterId: text("character_id").notNull(),
    text: text("text").notNull(),
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    provider: text("provider").$type<"replicate" | "cog">().notNull(),
    model: text("model").notNull(),
    /** The model inputs, once known (a talking head's wait for its speech). */
    input: text("input", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
    predictionId: text("prediction_id"),
    /** SHA-256 of the per-job token in a Cog webhook URL. */
    webhookTokenHash: text("webhook_token_hash"),
    status: text("status").$type<"queued" | "processing" | "finalizing" | "completed" | "failed" | "canceled">().notNull(),
    progress: integer("progress").notNull().default(0),
    submitAttempts: integer("submit_attempts").notNull().default(0),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** A talking head waits for this speech job, then speaks its output. */
    dependsOn: text("depends_on"),
    /** The chat reply this job belongs to, if any. */
    sessionId: text("session_id"),
    messageId: text("message_id"),
    /** The unguessable file name the result gets in R2 and under /assets (set at creation). */
    assetName: text("asset_name").notNull(),
    /** The provider's output URL (kept briefly: a talking head is driven by its speech's output). */
    outputUrl: text("output_url"),
    durationSeconds: real("duration_seconds"),
    fileSizeBytes: integer("file_size_bytes"),
    resolution: text("resolution"),
    format: text("format"),
    hasThumbnail: integer("has_thumbnail", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    completedAt: text("completed_at"),
    /** The last time anything was heard of the job (submit, webhook, reconcile): staleness is measured from it. */
    lastEventAt: text("last_event_at").notNull(),
    deadlineAt: text("deadline_at").notNull(),
  },
  (t) => [
    index("media_requests_prediction_idx").on(t.provider, t.predictionId),
    index("media_requests_open_idx").on(t.status, t.lastEventAt),
    index("media_requests_depends_idx").on(t.dependsOn),
    index("media_requests_created_idx").on(t.createdAt),
    // Clearing a session's history finds its jobs by session.
    index("media_requests_session_idx").on(t.sessionId),
  ],
);

export type MediaRequestRow = typeof mediaRequests.$inferSelect;
