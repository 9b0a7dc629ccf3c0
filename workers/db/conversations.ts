import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { conversations } from "./schema";

/** A (session, character) pair's activity: its first and last message of the batch being written. */
export interface ConversationTurn {
  sessionId: string;
  characterId: string;
  keyId: string;
  startedAt: string;
  lastMessageAt: string;
}

/** Counts each (session, character) pair once, and keeps its last activity current; one batch. */
export async function recordConversationTurns(db: Db, turns: ConversationTurn[]): Promise<void> {
  const [first, ...rest] = turns.map((turn) =>
    db
      .insert(conversations)
      .values(turn)
      .onConflictDoUpdate({
        target: [conversations.sessionId, conversations.characterId],
        set: { lastMessageAt: sql`excluded.last_message_at` },
      }),
  );
  if (first) await db.batch([first, ...rest]);
}
