import type { Env } from "../env";

export interface MediaStats {
  voice_requests_today: number | null;
  video_requests_today: number | null;
  average_generation_time_seconds: number | null;
}

/**
 * Media figures for GET /metrics. This branch has no media pipeline (voice and video jobs are the media
 * issue, written in another branch), so there is nothing to count: every figure is null, meaning
 * "not measured", rather than a zero that would claim no requests were made. Replace this file when the
 * media branch lands: count today's jobs in its D1 table and average completed_at - created_at.
 */
export async function mediaStats(_env: Env, _since: string): Promise<MediaStats> {
  return { voice_requests_today: null, video_requests_today: null, average_generation_time_seconds: null };
}
