import { avg, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { ratings } from "./schema";

export interface NewRating {
  messageId: string;
  sessionId: string;
  characterId: string;
  keyId: string;
  rating: number;
}

/** Inserts, or replaces the rating of a message rated before (created_at stays the first rating's). */
export const upsertRating = (db: Db, r: NewRating, now: string) =>
  db
    .insert(ratings)
    .values({ ...r, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: ratings.messageId,
      set: { rating: sql`excluded.rating`, keyId: sql`excluded.key_id`, updatedAt: sql`excluded.updated_at` },
    })
    .returning({ createdAt: ratings.createdAt, updatedAt: ratings.updatedAt });

/** The mean rating of a character's replies rounded to two decimals, or null when none is rated. */
export const averageRatingQuery = (db: Db, characterId: string) =>
  db
    .select({ average: avg(ratings.rating) })
    .from(ratings)
    .where(eq(ratings.characterId, characterId));

export const roundRating = (average: string | number | null | undefined): number | null =>
  average === null || average === undefined ? null : Math.round(Number(average) * 100) / 100;

/** Mean rating per character, for GET /metrics. */
export async function averageRatings(db: Db): Promise<Map<string, number | null>> {
  const rows = await db
    .select({ characterId: ratings.characterId, average: avg(ratings.rating) })
    .from(ratings)
    .groupBy(ratings.characterId);
  return new Map(rows.map((r) => [r.characterId, roundRating(r.average)]));
}
