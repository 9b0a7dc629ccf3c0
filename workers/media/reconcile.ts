/**
 * The cron's work: jobs whose webhook never came. A job silent for STALE_MS is fetched from its
 * provider and moved on; one past its deadline fails with a clear error; a lost submit is redone; a
 * talking head whose speech finished unnoticed is started.
 */
import { isTerminal } from "../../gpu-jobs/job-machine";
import { ProviderError } from "../../gpu-jobs/providers/types";
import { newJobToken } from "../../gpu-jobs/webhooks";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { applyPrediction } from "./apply-prediction";
import { failJob } from "./end-job";
import { isJoinedSpeech, joinReplyAudio } from "./join-reply-audio";
import { resumeFinalize } from "./finalize-job";
import { gpuProvider } from "./gpu-provider";
import { resettleJob } from "./settle-job";
import { getJob, openJobsToReconcile, pruneSightings, touchJob } from "./store";
import { submitJob, submitRequestOf } from "./submit-job";
import { errorText, log } from "../log";

const STALE_MS = 60_000;
const BATCH = 50;
// Webhook ids older than this cannot come back: Replicate's signatures expire after 5 minutes.
const KEEP_WEBHOOK_IDS_MS = 24 * 60 * 60 * 1000;

export interface ReconcileReport {
  checked: number;
  expired: number;
  refreshed: number;
  errors: number;
}

export async function reconcileMediaJobs(env: Env, now = Date.now()): Promise<ReconcileReport> {
  const db = getDb(env.DB);
  const nowIso = new Date(now).toISOString();
  const rows = await openJobsToReconcile(db, nowIso, new Date(now - STALE_MS).toISOString(), BATCH);
  const report: ReconcileReport = { checked: rows.length, expired: 0, refreshed: 0, errors: 0 };
  for (const row of rows) {
    try {
      if (row.deadlineAt < nowIso) {
        if (row.predictionId)
          await gpuProvider(env, row.provider)
            ?.cancel(row.predictionId)
            .catch(() => undefined);
        const minutes = Math.round((Date.parse(row.deadlineAt) - Date.parse(row.createdAt)) / 60_000);
        await failJob(
          env,
          row.id,
          "SERVICE_UNAVAILABLE",
          `No result from the GPU provider within ${minutes} minutes (status was ${row.status}, last heard of at ${row.lastEventAt})`,
          "reconcile",
        );
        report.expired++;
        continue;
      }
      if (isJoinedSpeech(row)) {
        // Made by us from its chunks once they end (each chunk's end tries too); resumed if its joiner died.
        await joinReplyAudio(env, row.id, "reconcile");
        continue;
      }
      if (row.dependsOn && !row.predictionId) {
        const speech = await getJob(db, row.dependsOn);
        // settle() of a finished speech starts or ends this job; run it through the speech's own path.
        if (speech && isTerminal(speech.status)) await resettleJob(env, speech.id);
        continue;
      }
      if (!row.predictionId) {
        // Claimed in D1 first: an overlapping run, or a submitter still at work, does not send it twice.
        if (row.status === "queued") await submitJob(env, row.id, now);
        continue;
      }
      const provider = gpuProvider(env, row.provider);
      if (!provider) continue;
      const { token, hash } = await newJobToken();
      const prediction = await provider.get(row.predictionId, submitRequestOf(row, provider.webhookUrl(row.id, token)));
      if (!prediction) {
        await failJob(env, row.id, "SERVICE_UNAVAILABLE", "The GPU provider no longer knows this job", "reconcile");
        continue;
      }
      // Cog forgot the job and started it anew: its webhooks now carry the new token.
      const fields = provider.name === "cog" && prediction.status === "starting" ? { webhookTokenHash: hash } : {};
      await touchJob(db, row.id, fields);
      if (row.status === "finalizing") await resumeFinalize(env, row.id, prediction);
      else await applyPrediction(env, row.id, prediction, "reconcile");
      report.refreshed++;
    } catch (error) {
      // One row's trouble must not stop the others (nor come first again every minute and stop them
      // again): log it and go on. The next run tries again; the deadline bounds it.
      report.errors++;
      const provider = error instanceof ProviderError;
      log(provider ? "warn" : "error", "reconcile_row_failed", { request_id: row.id, provider_error: provider, error: errorText(error) });
    }
  }
  await pruneSightings(db, new Date(now - KEEP_WEBHOOK_IDS_MS).toISOString());
  return report;
}
