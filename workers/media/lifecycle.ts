/**
 * A media job's life on our side: submit (with retries and backoff), apply what the provider reports
 * (webhook or reconcile), copy a finished output into R2 at once, fail or cancel, and settle: start the
 * talking head a finished speech drives, and put ready media on the chat message it belongs to.
 * Every move goes through job-machine.advance and a compare-and-set in D1, so nothing moves backwards
 * and two deliveries of one event write once.
 */
import { advance, isTerminal, progressFromLogs, statusOfPrediction, type JobState } from "../../gpu-jobs/job-machine";
import { MediaFileError, probeStoredMp4, probeStoredWav } from "../../gpu-jobs/media-files";
import { talkingHeadCall } from "../../gpu-jobs/models";
import { selectProvider } from "../../gpu-jobs/providers/select";
import { firstOutputUrl, ProviderError, type GpuProvider, type Prediction, type SubmitRequest } from "../../gpu-jobs/providers/types";
import { newJobToken } from "../../gpu-jobs/webhooks";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import { sessionStub } from "../durable-objects/chat-session/session-stub";
import type { Env } from "../env";
import { assetPath, audioKey, IMMUTABLE, resultKey, thumbnailKey } from "./assets";
import { openOutput } from "./output-source";
import { claimSubmission, dependentsOf, getJob, moveJob, predictionOwner, touchJob, type NewJob } from "./store";
import { rangeReader, storeOutput } from "./store-output";

const SUBMIT_ATTEMPTS = 3;
// A claimer silent this long is presumed dead and its job may be claimed again: longer than its
// attempts (each bounded by GPU_TIMEOUT_MS, plus backoff and the client's own 429 waits) ever take.
const SUBMIT_LEASE_MS = 2 * 60_000;
// What clients read when the provider's side failed; the provider's own words go to the log only.
export const MODEL_FAILED = "The model could not generate this media";
export const OUTPUT_UNUSABLE = "The model's output could not be used";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => new Date().toISOString();

/**
 * Reads the job, asks `decide` for its next state, and writes it with compare-and-set, rereading on a
 * lost race. Answers the row as written, or undefined when the event changes nothing.
 */
async function move(
  env: Env,
  id: string,
  decide: (row: MediaRequestRow) => (JobState & { fields?: Partial<NewJob> }) | undefined,
  source: string,
): Promise<MediaRequestRow | undefined> {
  const db = getDb(env.DB);
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await getJob(db, id);
    if (!row) return undefined;
    const wanted = decide(row);
    if (!wanted) return undefined;
    const next = advance(row, wanted);
    if (!next) return undefined;
    if (await moveJob(db, row, next, source, wanted.fields)) return { ...row, ...wanted.fields, status: next.status, progress: next.progress };
  }
  return undefined;
}

/** Fails a job with `message` for clients; `detail` (e.g. the provider's error text) is logged with the request id. */
export async function failJob(env: Env, id: string, code: string, message: string, source: string, detail?: string): Promise<void> {
  if (detail !== undefined) console.error(JSON.stringify({ level: "error", event: "media_job_failed", request_id: id, source, message, detail: detail.slice(0, 2000) }));
  const moved = await move(env, id, () => ({ status: "failed", progress: 0, fields: { errorCode: code, errorMessage: message, completedAt: now() } }), source);
  if (moved) await settle(env, moved);
}

export async function cancelJob(env: Env, id: string, source: string): Promise<MediaRequestRow | undefined> {
  const db = getDb(env.DB);
  const row = await getJob(db, id);
  if (!row || isTerminal(row.status)) return row;
  if (row.predictionId) {
    // Best effort: the job is canceled on our side whatever the provider answers.
    await selectProvider(env, row.provider)?.cancel(row.predictionId).catch(() => undefined);
  }
  const moved = await move(env, id, () => ({ status: "canceled", progress: 0, fields: { completedAt: now() } }), source);
  if (moved) await settle(env, moved);
  return getJob(db, id);
}

/**
 * Ends an unfinished job as canceled with a reason, at the provider too, without settling it: for jobs
 * whose chat message is gone (forgetSessionMedia), so there is nothing to attach and nothing to chain.
 * A job that finished meanwhile stays as it is.
 */
export async function stopJob(env: Env, id: string, reason: string, source: string): Promise<void> {
  const moved = await move(env, id, () => ({ status: "canceled", progress: 0, fields: { completedAt: now(), errorCode: "CANCELED", errorMessage: reason } }), source);
  if (!moved?.predictionId) return; // not sent yet: a create still on its way is canceled when it lands (adopt)
  try {
    await selectProvider(env, moved.provider)?.cancel(moved.predictionId);
  } catch (error) {
    // Best effort: the job is canceled on our side whatever the provider answers, and its webhooks change nothing.
    console.warn(JSON.stringify({ level: "warn", event: "provider_cancel_failed", request_id: id, error: String(error) }));
  }
}

function submitRequest(env: Env, row: MediaRequestRow, webhookUrl: string): SubmitRequest {
  return { jobId: row.id, call: { kind: row.kind, model: row.model, input: row.input ?? {} }, webhookUrl };
}

/**
 * Sends a queued job to its provider, retrying with exponential backoff; ends `failed` with
 * SERVICE_UNAVAILABLE. The job is claimed in D1 first (claimSubmission), so of two submitters (settle
 * and the reconciler, two cron runs) one sends it. A create whose outcome is unknown (timed out,
 * connection lost, a 5xx; or a claimer that died) is looked up at the provider before it is sent again.
 */
export async function submitJob(env: Env, id: string, nowMs = Date.now()): Promise<void> {
  const db = getDb(env.DB);
  const row = await getJob(db, id);
  if (!row || row.status !== "queued" || row.predictionId || !row.input) return;
  const provider = selectProvider(env, row.provider);
  if (!provider) return failJob(env, id, "SERVICE_UNAVAILABLE", `The ${row.provider} GPU provider is not configured`, "submit");
  if (!(await claimSubmission(db, row, new Date(nowMs).toISOString(), new Date(nowMs - SUBMIT_LEASE_MS).toISOString()))) return;
  const { token, hash } = await newJobToken();
  // Stored before the call: the first webhook can arrive before the call returns. A job claimed before
  // keeps its token until the provider shows it started anew (adopt), as a running Cog job still uses it.
  const firstClaim = !row.webhookTokenHash;
  if (firstClaim) await touchJob(db, id, { webhookTokenHash: hash });
  const request = submitRequest(env, row, provider.webhookUrl(id, token));
  const adoptIt = (prediction: Prediction) => adopt(env, provider, id, prediction, firstClaim ? {} : { webhookTokenHash: hash });
  // Matched by input alone (a list without webhook URLs), a prediction may be another job's.
  const findEarlier = async () => {
    const found = await provider.find?.(request, row.createdAt);
    const owner = found && (await predictionOwner(db, row.provider, found.id));
    return found && (!owner || owner === id) ? found : undefined;
  };
  const baseDelay = Number(env.GPU_RETRY_BASE_MS) || 1000;
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

/** Applies a provider's report of a prediction (from a webhook, the submit answer or the reconciler). */
export async function applyPrediction(env: Env, id: string, prediction: Prediction, source: string): Promise<void> {
  const mapped = statusOfPrediction(prediction.status);
  if (!mapped) return;
  if (mapped === "failed") {
    return failJob(env, id, "SERVICE_UNAVAILABLE", MODEL_FAILED, source, `the model failed: ${String(prediction.error ?? "no reason given")}`);
  }
  if (mapped === "canceled") {
    const moved = await move(env, id, () => ({ status: "canceled", progress: 0, fields: { completedAt: now() } }), source);
    if (moved) await settle(env, moved);
    return;
  }
  const reported = progressFromLogs(prediction.logs);
  const moved = await move(
    env,
    id,
    (row) => ({
      status: mapped,
      progress: reported ?? row.progress,
      fields: mapped !== "queued" && !row.startedAt ? { startedAt: now() } : undefined,
    }),
    source,
  );
  // Moving into `finalizing` is the claim: only the delivery that made it copies the output.
  if (moved?.status === "finalizing") await finalize(env, moved, prediction, source);
}

/**
 * Finishes a job left in `finalizing` (the Worker that claimed the copy died, or R2 failed): the
 * reconciler calls it for such a job once it has been silent a while.
 */
export async function resumeFinalize(env: Env, id: string, prediction: Prediction): Promise<void> {
  const row = await getJob(getDb(env.DB), id);
  if (row?.status === "finalizing" && statusOfPrediction(prediction.status) === "finalizing") await finalize(env, row, prediction, "reconcile");
}

/** Copies the output into R2 (streamed, capped), measures it from its headers, and completes the job. */
async function finalize(env: Env, row: MediaRequestRow, prediction: Prediction, source: string): Promise<void> {
  const url = firstOutputUrl(prediction.output);
  const written: string[] = [];
  const put = (key: string, body: Uint8Array, contentType: string) =>
    env.MEDIA.put(key, body, { httpMetadata: { contentType, cacheControl: IMMUTABLE }, customMetadata: { request_id: row.id } });
  try {
    if (!url) throw new MediaFileError("the model finished without an output file");
    const output = await openOutput(env, url, Number(env.GPU_TIMEOUT_MS) || 60_000);
    const key = resultKey(row);
    const contentType = row.mediaType === "voice" ? "audio/wav" : "video/mp4";
    written.push(key);
    const size = await storeOutput(env.MEDIA, key, output, { httpMetadata: { contentType, cacheControl: IMMUTABLE }, customMetadata: { request_id: row.id } });
    const fields: Partial<NewJob> = { fileSizeBytes: size, completedAt: now(), outputUrl: /^https?:/.test(url) ? url : null };
    if (row.mediaType === "voice") {
      const facts = await probeStoredWav(size, rangeReader(env.MEDIA, key));
      Object.assign(fields, { durationSeconds: facts.durationSeconds, format: facts.format });
    } else {
      const facts = await probeStoredMp4(size, rangeReader(env.MEDIA, key));
      if (facts.firstFrameJpeg) {
        written.push(thumbnailKey(row.assetName));
        await put(thumbnailKey(row.assetName), facts.firstFrameJpeg, "image/jpeg");
      }
      Object.assign(fields, { durationSeconds: facts.durationSeconds, format: facts.format, resolution: `${facts.width}x${facts.height}`, hasThumbnail: !!facts.firstFrameJpeg });
    }
    const moved = await move(env, row.id, () => ({ status: "completed", progress: 100, fields }), source);
    if (moved) return settle(env, moved);
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

/** What a finished job puts on its chat message (values are plain, as the Durable Object stores them). */
export function messageMediaOf(row: MediaRequestRow): Record<string, string | number | boolean | null> {
  const prefix = row.mediaType === "voice" ? "audio" : "video";
  if (row.status !== "completed") {
    return { [`${prefix}_status`]: row.status, [`${prefix}_error`]: row.errorMessage ?? null, [`${prefix}_request_id`]: row.id };
  }
  return {
    [`${prefix}_url`]: assetPath(resultKey(row)),
    [`${prefix}_status`]: "ready",
    [`${prefix}_duration_seconds`]: row.durationSeconds,
    [`${prefix}_request_id`]: row.id,
    ...(row.mediaType === "video" ? { thumbnail_url: row.hasThumbnail ? assetPath(thumbnailKey(row.assetName)) : null } : {}),
  };
}

/** After a terminal move: drive or end the jobs waiting on this one, and tell the chat session. */
async function settle(env: Env, row: MediaRequestRow): Promise<void> {
  const db = getDb(env.DB);
  for (const dependent of await dependentsOf(db, row.id)) {
    if (dependent.status !== "queued" || dependent.predictionId) continue;
    if (row.status === "completed") await startTalkingHead(env, dependent, row);
    else if (row.status === "canceled") await cancelJob(env, dependent.id, "chain");
    else await failJob(env, dependent.id, "SERVICE_UNAVAILABLE", `The speech this video needs failed: ${row.errorMessage ?? "unknown error"}`, "chain");
  }
  if (row.sessionId && row.messageId) {
    try {
      await sessionStub(env, row.sessionId).attachMedia(row.messageId, messageMediaOf(row));
    } catch (error) {
      console.error(JSON.stringify({ level: "error", event: "attach_media_failed", request_id: row.id, error: String(error) }));
    }
  }
}

/** Runs settle() again for a finished job (the reconciler, when a chained job was left waiting). */
export async function resettle(env: Env, id: string): Promise<void> {
  const row = await getJob(getDb(env.DB), id);
  if (row && isTerminal(row.status)) await settle(env, row);
}

/** The talking head of a chain: the character's avatar driven by the finished speech. */
async function startTalkingHead(env: Env, job: MediaRequestRow, speech: MediaRequestRow): Promise<void> {
  const base = (env.PUBLIC_BASE_URL ?? "http://localhost:8000").replace(/\/+$/, "");
  // The provider's own URL of the speech is fastest to fetch (Replicate keeps it an hour); a data: URI
  // (Cog) would bloat the request, so the GPU fetches our public copy instead.
  const audioUrl = speech.outputUrl ?? `${base}${assetPath(audioKey(speech.assetName))}`;
  const settings = job.settings as { avatar_url?: string; video_model?: string | null };
  const avatar = settings.avatar_url?.startsWith("/") ? `${base}${settings.avatar_url}` : settings.avatar_url;
  if (!avatar) return failJob(env, job.id, "INVALID_REQUEST", "The character has no avatar image to animate", "chain");
  const call = talkingHeadCall(settings.video_model ?? null, avatar, audioUrl);
  await touchJob(getDb(env.DB), job.id, { model: call.model, input: call.input });
  await submitJob(env, job.id);
}

