/**
 * What clearing a session's history does to its media (DELETE /chat/history): its unfinished jobs stop
 * (canceled with a reason, at the provider too; a finished job keeps its state, and late webhooks
 * change nothing since a job never leaves a terminal state), then its files leave R2, so their /assets
 * URLs answer 404. A copy that lands after this is deleted by the copier (finalize), which finds its
 * job canceled.
 */
import { isTerminal } from "../../gpu-jobs/job-machine";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { resultKey, thumbnailKey } from "./assets";
import { stopJob } from "./end-job";
import { jobsOfSession } from "./store";

const HISTORY_CLEARED = "Canceled: the session's history was cleared";
// R2 deletes at most 1,000 keys per call.
const DELETE_BATCH = 1000;

export async function forgetSessionMedia(env: Env, sessionId: string): Promise<void> {
  if (!sessionId) return;
  const jobs = await jobsOfSession(getDb(env.DB), sessionId);
  // Stopped first, so no job finishes and writes a file after the deletes below.
  await Promise.all(jobs.filter((job) => !isTerminal(job.status)).map((job) => stopJob(env, job.id, HISTORY_CLEARED, "forget")));
  const keys = jobs.flatMap((job) => (job.mediaType === "video" ? [resultKey(job), thumbnailKey(job.assetName)] : [resultKey(job)]));
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await env.MEDIA.delete(keys.slice(i, i + DELETE_BATCH));
}
