import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Every memory object, by whose memory it holds: admin lists a user's memories under every key from
 * here. Written once, when an object is first written to; the memories stay in the object.
 */
export const memoryScopes = sqliteTable(
  "memory_scopes",
  {
    objectId: text("object_id").primaryKey(),
    keyId: text("key_id").notNull(),
    characterId: text("character_id").notNull(),
    userId: text("user_id"),
    sessionId: text("session_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("memory_scopes_user_idx").on(t.characterId, t.userId), index("memory_scopes_session_idx").on(t.characterId, t.sessionId)],
);
