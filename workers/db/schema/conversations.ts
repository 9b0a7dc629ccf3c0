import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per (session, character) pair that exchanged a message: the basis of total_conversations. */
export const conversations = sqliteTable(
  "conversations",
  {
    sessionId: text("session_id").notNull(),
    characterId: text("character_id").notNull(),
    keyId: text("key_id").notNull(),
    startedAt: text("started_at").notNull(),
    lastMessageAt: text("last_message_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.characterId] }),
    index("conversations_character_idx").on(t.characterId, t.startedAt),
    index("conversations_last_message_idx").on(t.lastMessageAt),
  ],
);
