import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One rating (1-5) per assistant message; rating again replaces it. Feeds average_rating. */
export const ratings = sqliteTable(
  "ratings",
  {
    messageId: text("message_id").primaryKey(),
    sessionId: text("session_id").notNull(),
    characterId: text("character_id").notNull(),
    keyId: text("key_id").notNull(),
    rating: integer("rating").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("ratings_character_idx").on(t.characterId)],
);

export type RatingRow = typeof ratings.$inferSelect;
