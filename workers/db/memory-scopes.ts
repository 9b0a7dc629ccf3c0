import { and, eq } from "drizzle-orm";
import type { MemoryScope } from "../memory/scope";
import type { Db } from "./client";
import { memoryScopes } from "./schema";

/** Records a memory object once (a repeat changes nothing). */
export const registerMemoryScope = (db: Db, objectId: string, scope: MemoryScope, at: string) =>
  db
    .insert(memoryScopes)
    .values({ objectId, keyId: scope.keyId, characterId: scope.characterId, userId: scope.userId, sessionId: scope.sessionId, createdAt: at })
    .onConflictDoNothing();

/** The memory objects of a user (or a user-less session) with a character, under every key. */
export const memoryScopesOf = (db: Db, characterId: string, who: { userId: string } | { sessionId: string }, limit: number) =>
  db
    .select({ objectId: memoryScopes.objectId })
    .from(memoryScopes)
    .where(and(eq(memoryScopes.characterId, characterId), "userId" in who ? eq(memoryScopes.userId, who.userId) : eq(memoryScopes.sessionId, who.sessionId)))
    .orderBy(memoryScopes.createdAt)
    .limit(limit);
