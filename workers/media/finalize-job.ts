/**
 * A succeeded prediction's last step: its output copied into R2 (streamed, capped), measured from the
 * stored file's headers, and the job completed. A video must be H.264 (what browsers play) and is
 * stored with moov first; its JPEG cover art, if any, becomes its thumbnail.
 */
import { statusOfPrediction } from "../../gpu-jobs/job-machine";
import { assertH264, MediaFileError, probeStoredMp4, probeStoredWav } from "../../gpu-jobs/media-files";
import { firstOutputUrl, type Prediction } from "../../gpu-jobs/providers/types";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import type { Env } from "../env";
import { IMMUTABLE, resultKey, thumbnailKey } from "./assets";
import { failJob } from "./end-job";
import { nowIso, transitionJob } from "./job-transitions";
import { openOutput } from "./output-source";
import { settleJob } from "./settle-job";
import { getJob, type NewJob } from "./store";
import { rangeReader, storeAsFaststart, storeOutput } from "./store-output";

// What clients read when the output was unusable; the reason goes to the log only.
export const OUTPUT_UNUSABLE = "The model's output could not be used";

/**
 * Finishes a job left in `finalizing` (the Worker that claimed the copy died, or R2 failed): the
 * reconciler calls it for such a job once it has been silent a while.
 */
export async function resumeFinalize(env: Env, id: string, prediction: Prediction): Promise<void> {
  const row = await getJob(getDb(env.DB), id);
  if (row?.status === "finalizing" && statusOfPrediction(prediction.status) === "finalizing") await finalizeJob(env, row, prediction, "reconcile");
}

/** Copies the output into R2, measures it, and completes the job (or fails it when the output is unusable). */
export async function finalizeJob(env: Env, row: MediaRequestRow, prediction: Prediction, source: string): Promise<void> {
  const url = firstOutputUrl(prediction.output);
  const written: string[] = [];
  const stored = (contentType: string): R2PutOptions => ({ httpMetadata: { contentType, cacheControl: IMMUTABLE }, customMetadata: { request_id: row.id } });
  try {
    if (!url) throw new MediaFileError("the model finished without an output file");
    const output = await openOutput(env, url);
    const key = resultKey(row);
    written.push(key);
    const size = await storeOutput(env.MEDIA, key, output, stored(row.mediaType === "voice" ? "audio/wav" : "video/mp4"));
    const fields: Partial<NewJob> = { fileSizeBytes: size, completedAt: nowIso(), outputUrl: /^https?:/.test(url) ? url : null };
    if (row.mediaType === "voice") {
      const facts = await probeStoredWav(size, rangeReader(env.MEDIA, key));
      Object.assign(fields, { durationSeconds: facts.durationSeconds, format: facts.format });
    } else {
      const facts = await probeStoredMp4(size, rangeReader(env.MEDIA, key));
      assertH264(facts);
      if (!facts.faststart) await storeAsFaststart(env.MEDIA, key, stored("video/mp4"));
      if (facts.thumbnailJpeg) {
        written.push(thumbnailKey(row.assetName));
        await env.MEDIA.put(thumbnailKey(row.assetName), facts.thumbnailJpeg, stored("image/jpeg"));
      }
      Object.assign(fields, {
        durationSeconds: facts.durationSeconds,
        format: facts.format,
        resolution: `${facts.width}x${facts.height}`,
        hasThumbnail: !!facts.thumbnailJpeg,
      });
    }
    const moved = await transitionJob(getDb(env.DB), row.id, () => ({ status: "completed", progress: 100, fields }), source);
    if (moved) return settleJob(env, moved);
    // The job ended otherwise while we copied (canceled, its session forgotten): its files must not stay public.
    await discardUnlessCompleted(env, row.id, written);
  } catch (error) {
    if (!(error instanceof MediaFileError)) throw error;
    await discardUnlessCompleted(env, row.id, written);
    await failJob(env, row.id, "SERVICE_UNAVAILABLE", OUTPUT_UNUSABLE, source, error.message);
  }
}

// A second copier (the reconciler resuming a silent finalize) may have completed the job with these very keys.
async function discardUnlessCompleted(env: Env, id: string, keys: string[]): Promise<void> {
  if (keys.length && (await getJob(getDb(env.DB), id))?.status !== "completed") await env.MEDIA.delete(keys);
}
