import { getDb } from "../db/client";
import type { Env } from "../env";
import { mediaGenerationStats, type MediaStats } from "../media/stats";

export type { MediaStats };

/** Today's voice and video requests and their mean generation time, from media_requests and its transitions. */
export const mediaStats = (env: Env, since: string): Promise<MediaStats> => mediaGenerationStats(getDb(env.DB), since);
