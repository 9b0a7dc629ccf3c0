/**
 * Sending a queued job to its GPU provider: claimed in D1 first, retried with exponential backoff, a
 * lost create looked up before it is sent again, and the prediction that comes back adopted.
 */
import type { GpuProvider, Prediction, SubmitRequest } from "../../gpu-jobs/providers/types";
import { ProviderError } from "../../gpu-jobs/providers/types";
import { newJobToken } from "../../gpu-jobs/webhooks";
import { config } from "../config";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import type { Env } from "../env";
import { applyPrediction } from "./apply-prediction";
import { failJob } from "./end-job";
import { gpuProvider } from "./gpu-provider";
import { claimSubmission, getJob, predictionOwner, touchJob, type NewJob } from "./store";
import { sleep } from "../../shared/sleep";

const SUBMIT_ATTEMPTS = 3;
// A claimer silent this long is presumed dead and its job may be claimed again: longer than its
// attempts (each bounded by GPU_TIMEOUT_MS, plus backoff and the client's own 429 waits) ever take.
const SUBMIT_LEASE_MS = 2 * 60_000;

/** What the provider is asked to run for a job, with the URL its webhooks go to. */
export const submitRequestOf = (row: MediaRequestRow, webhookUrl: string): SubmitRequest => ({
  jobId: row.id,
  call: { kind: row.kind, model: row.model, input: row.input ?? {} },
  webhookUrl,
  // A reply's speech chunk lasts a second or two and nobody watches its progress: its end is the one event.
  ...(row.settings.source === "reply_chunk" ? { progressEvents: false } : {}),
});

/**
 * Sends a queued job to its provider, retrying with exponential backoff; ends `failed` with
 * SERVICE_UNAVAILABLE. The job is claimed in D1 first (claimSubmission), so of two submitters (settle
 * and the reconciler, two cron runs) one sends it. A create whose outcome is unknown (timed out,
 * connection lost, a 5xx; or a claimer that died) is looked up at the provider before it is sent again.
 */
export async function submitJob(env: Env, id: string, nowMs = Date.now()): Promise<void> {
  const db = getDb(env.DB);
  const row = await getJob(db, id);
  if (row?.status !== "queued" || row.predictionId || !row.input) return;
  const provider = gpuProvider(env, row.provider);
  if (!provider) return failJob(env, id, "SERVICE_UNAVAILABLE", `The ${row.provider} GPU provider is not configured`, "submit");
  if (!(await claimSubmission(db, row, new Date(nowMs).toISOString(), new Date(nowMs - SUBMIT_LEASE_MS).toISOString()))) return;
  const { token, hash } = await newJobToken();
  // Stored before the call: the first webhook can arrive before the call returns. A job claimed before
  // keeps its token until the provider shows it started anew (adopt), as a running Cog job still uses it.
  const firstClaim = !row.webhookTokenHash;
  if (firstClaim) await touchJob(db, id, { webhookTokenHash: hash });
  const request = submitRequestOf(row, provider.webhookUrl(id, token));
  const adoptIt = (prediction: Prediction) => adopt(env, provider, id, prediction, firstClaim ? {} : { webhookTokenHash: hash });
  // Matched by input alone (a list without webhook URLs), a prediction may be another job's.
  const findEarlier = async () => {
    const found = await provider.find?.(request, row.createdAt);
    const owner = found && (await predictionOwner(db, row.provider, found.id));
    return found && (!owner || owner === id) ? found : undefined;
  };
  const baseDelay = config(env).media.retryBaseMs;
  let lastError = "no attempt made";
  // A previous claimer may have sent it and died waiting for the answer.
  let outcomeUnknown = row.submitAttempts > 0;
  for (let attempt = 1; attempt <= SUBMIT_ATTEMPTS; attempt++) {
    try {
      if (outcomeUnknown) {
        const earlier = await findEarlier();
        if (earlier) return adoptIt(earlier);
      }
      if (attempt > 1) await touchJob(db, id, { submitAttempts: row.submitAttempts + attempt });
      return adoptIt(await provider.submit(request));
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      lastError = error.message;
      // A refusal (4xx) created nothing; anything else may have.
      if (!error.retryable) {
        outcomeUnknown = false;
        break;
      }
      outcomeUnknown = true;
      if (attempt < SUBMIT_ATTEMPTS) await sleep(baseDelay * 2 ** (attempt - 1));
    }
  }
  if (outcomeUnknown && provider.find) {
    let earlier: Prediction | undefined;
    try {
      earlier = await findEarlier();
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // Still unknown: failing now could orphan a running prediction. The claim goes stale and the
      // reconciler looks again; the deadline bounds it.
      return;
    }
    if (earlier) return adoptIt(earlier);
  }
  await failJob(env, id, "SERVICE_UNAVAILABLE", `The GPU provider did not accept the job: ${lastError}`, "submit");
}

/** Records the job's prediction and applies it; one that was canceled meanwhile is stopped at the provider. */
async function adopt(env: Env, provider: GpuProvider, id: string, prediction: Prediction, fields: Partial<NewJob>): Promise<void> {
  const db = getDb(env.DB);
  // Cog forgot the job and started it anew: its webhooks now carry the new token.
  const token = provider.name === "cog" && prediction.status === "starting" ? fields : {};
  await touchJob(db, id, { predictionId: prediction.id, ...token });
  await applyPrediction(env, id, prediction, "submit");
  const now = await getJob(db, id);
  const running = prediction.status === "starting" || prediction.status === "processing";
  if (running && now && (now.status === "canceled" || now.status === "failed")) {
    await provider.cancel(prediction.id).catch(() => undefined);
  }
}
