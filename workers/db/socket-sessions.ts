import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { socketSessions } from "./schema";

export const registerSocketSession = (db: Db, keyId: string, sessionId: string, at: string) =>
  db
    .insert(socketSessions)
    .values({ keyId, sessionId, lastAuthAt: at })
    .onConflictDoUpdate({ target: [socketSessions.keyId, socketSessions.sessionId], set: { lastAuthAt: sql`excluded.last_auth_at` } });

/** The sessions a key has had sockets in, forgetting them: a revoked key never authenticates again. */
export const takeSocketSessions = async (db: Db, keyId: string) =>
  (await db.delete(socketSessions).where(eq(socketSessions.keyId, keyId)).returning({ sessionId: socketSessions.sessionId })).map((row) => row.sessionId);
