import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { conversations } from "./schema";

/** Counts a (session, character) pair once, and keeps its last activity current. */
export const recordConversationTurn = (db: Db, sessionId: string, characterId: string, keyId: string, at: string) =>
  db
    .insert(conversations)
    .values({ sessionId, characterId, keyId, startedAt: at, lastMessageAt: at })
    .onConflictDoUpdate({
      target: [conversations.sessionId, conversations.characterId],
      set: { lastMessageAt: sql`excluded.last_message_at` },
    });
