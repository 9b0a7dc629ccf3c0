/**
 * What /health and /metrics need from media (for the routes that will show them): the provider's
 * health, and per-day request counts with the mean generation time from the recorded transitions.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { gpuProvider } from "./gpu-provider";

export async function mediaHealth(env: Env): Promise<"healthy" | "unhealthy" | "not_configured"> {
  const provider = gpuProvider(env);
  if (!provider) return "not_configured";
  return (await provider.healthy()) ? "healthy" : "unhealthy";
}

// A voiced reply counts once: its whole audio, not each chunk voiced on the way (reply-voice.ts).
export interface MediaStats {
  voice_requests_today: number;
  video_requests_today: number;
  /** Mean seconds from creation to completion of today's completed jobs, null when none completed. */
  average_generation_time_seconds: number | null;
}

export async function mediaGenerationStats(db: Db, sinceIso: string): Promise<MediaStats> {
  const [row] = await db.all<{ voice: number; video: number; avg: number | null }>(sql`
    SELECT
      (SELECT count(*) FROM media_requests WHERE created_at >= ${sinceIso} AND media_type = 'voice'
          AND coalesce(json_extract(settings, '$.source'), '') <> 'reply_chunk') AS voice,
      (SELECT count(*) FROM media_requests WHERE created_at >= ${sinceIso} AND media_type = 'video') AS video,
      (SELECT avg((julianday(t.at) - julianday(r.created_at)) * 86400)
         FROM media_transitions t JOIN media_requests r ON r.id = t.request_id
        WHERE t.to_status = 'completed' AND r.created_at >= ${sinceIso}
          AND coalesce(json_extract(r.settings, '$.source'), '') <> 'reply_chunk') AS avg`);
  return {
    voice_requests_today: row?.voice ?? 0,
    video_requests_today: row?.video ?? 0,
    average_generation_time_seconds: row?.avg == null ? null : Math.round(row.avg * 100) / 100,
  };
}
