import { and, countDistinct, gte, sql } from "drizzle-orm";
import type { MetricsResponse } from "../../shared/schemas/ops";
import { getDb } from "../db/client";
import { averageRatings } from "../db/ratings";
import { characters, conversations } from "../db/schema";
import type { Env } from "../env";
import { mediaGenerationStats } from "../media/stats";
import { flushMetrics, metricsStub } from "./recorder";

/** active_sessions: sessions with a message in the last 15 minutes (from D1), not open sockets. */
const ACTIVE_WINDOW_MS = 15 * 60_000;

const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The figures of GET /api/v1/metrics, every one counted, none configured. */
export async function collectMetrics(env: Env, now = new Date()): Promise<MetricsResponse> {
  await flushMetrics(env);
  const db = getDb(env.DB);
  const today = startOfUtcDay(now);
  const activeSince = new Date(now.getTime() - ACTIVE_WINDOW_MS).toISOString();

  const [counts, [active], perCharacter, rated, media] = await Promise.all([
    metricsStub(env).counts(),
    db
      .select({ n: countDistinct(conversations.sessionId) })
      .from(conversations)
      .where(gte(conversations.lastMessageAt, activeSince)),
    // Every character, with the conversations that had a message today (UTC) - zero for the quiet ones.
    db
      .select({
        id: characters.id,
        today: sql<number>`(SELECT COUNT(*) FROM ${conversations} WHERE ${and(
          sql`${conversations.characterId} = ${characters.id}`,
          gte(conversations.lastMessageAt, today),
        )})`,
      })
      .from(characters),
    averageRatings(db),
    mediaGenerationStats(db, today),
  ]);

  return {
    requests_total: counts.requests_total,
    requests_per_minute: counts.requests_last_minute,
    average_response_time_ms: counts.requests_total ? round(counts.duration_ms_total / counts.requests_total, 1) : null,
    error_rate_percent: counts.requests_total ? round((counts.errors_total / counts.requests_total) * 100, 3) : null,
    active_sessions: active?.n ?? 0,
    characters: Object.fromEntries(perCharacter.map((c) => [c.id, { conversations_today: Number(c.today), average_rating: rated.get(c.id) ?? null }])),
    media_generation: media,
  };
}
