import { desc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { apiKeys, type ApiKeyRow } from "./schema";

export const findKeyByHash = async (db: Db, keyHash: string) => (await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).limit(1))[0];

export const insertKey = (db: Db, row: ApiKeyRow) => db.insert(apiKeys).values(row);

export const listKeys = (db: Db) => db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));

export const touchKey = (db: Db, id: string, at: string) => db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));

export async function revokeKey(db: Db, id: string, at: string): Promise<ApiKeyRow | undefined> {
  const rows = await db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).returning();
  return rows[0];
}

export const getKey = async (db: Db, id: string) => (await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1))[0];
