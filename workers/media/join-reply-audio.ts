/**
 * A reply's whole audio (a JOINED_SPEECH row): once every chunk's speech has ended, the voiced chunks'
 * WAVs are joined in seq order into one file in R2. Tried when the row is stored and each time a chunk
 * ends; moving the row into `finalizing` is the claim, so of two tries one joins. A chunk that failed
 * is left out (its frame said so); none voiced fails the row; a canceled chunk (the voice was
 * interrupted) cancels it, and so the talking head waiting on it.
 */
import { isTerminal } from "../../gpu-jobs/job-machine";
import { probeWav } from "../../gpu-jobs/media-files";
import { joinWavs, WavError } from "../../gpu-jobs/wav-join";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import type { Env } from "../env";
import { IMMUTABLE, resultKey } from "./assets";
import { JOINED_SPEECH } from "./create";
import { failJob } from "./end-job";
import { nowIso, transitionJob } from "./job-transitions";
import { settleJob } from "./settle-job";
import { getJob, getJobs } from "./store";
import { log } from "../log";

const INTERRUPTED = "The reply's voice was interrupted";
const NONE_VOICED = "None of the reply's speech could be generated";

export const isReplyChunk = (row: MediaRequestRow) => row.settings.source === "reply_chunk";
export const isJoinedSpeech = (row: MediaRequestRow) => row.model === JOINED_SPEECH;

/** The whole-reply audio row a chunk belongs to. */
export const replyAudioOf = (chunk: MediaRequestRow) => String(chunk.settings.reply_audio);

/**
 * Makes the whole reply's audio if every chunk has ended. `source` "reconcile" also takes over a join
 * whose claimer went silent (left in `finalizing`).
 */
export async function joinReplyAudio(env: Env, id: string, source: string): Promise<void> {
  const db = getDb(env.DB);
  const row = await getJob(db, id);
  if (!row || !isJoinedSpeech(row)) return;
  if (!(row.status === "queued" || (row.status === "finalizing" && source === "reconcile"))) return;
  const chunkIds = row.settings.chunks as string[];
  const chunks = await getJobs(db, chunkIds);
  if (chunks.length < chunkIds.length || chunks.some((chunk) => !isTerminal(chunk.status))) return;

  if (chunks.some((chunk) => chunk.status === "canceled")) {
    const moved = await transitionJob(
      db,
      id,
      () => ({ status: "canceled", progress: 0, fields: { completedAt: nowIso(), errorCode: "CANCELED", errorMessage: INTERRUPTED } }),
      source,
    );
    if (moved) await settleJob(env, moved);
    return;
  }
  const seqOf = (chunk: MediaRequestRow) => Number(chunk.settings.seq);
  const voiced = chunks.filter((chunk) => chunk.status === "completed").sort((a, b) => seqOf(a) - seqOf(b));
  if (!voiced.length) return failJob(env, id, "SERVICE_UNAVAILABLE", NONE_VOICED, source);
  if (row.status === "queued") {
    const claimed = await transitionJob(db, id, () => ({ status: "finalizing", progress: 50 }), source);
    if (!claimed) return;
  }

  let joined: Uint8Array<ArrayBuffer>;
  try {
    const files = await Promise.all(voiced.map((chunk) => readFile(env.MEDIA, resultKey(chunk))));
    joined = joinWavs(files);
  } catch (error) {
    if (!(error instanceof WavError)) throw error;
    // The index is into the voiced chunks; the log names the chunk's request.
    const chunk = error.index === undefined ? undefined : voiced[error.index];
    return failJob(env, id, "SERVICE_UNAVAILABLE", "The reply's speech could not be joined into one file", source, `${chunk?.id ?? ""} ${error.message}`);
  }
  const key = resultKey(row);
  await env.MEDIA.put(key, joined, { httpMetadata: { contentType: "audio/wav", cacheControl: IMMUTABLE }, customMetadata: { request_id: id } });
  const { durationSeconds } = await probeWav(joined);
  if (voiced.length < chunks.length) log("warn", "reply_audio_partial", { request_id: id, voiced: voiced.length, chunks: chunks.length });
  const moved = await transitionJob(
    db,
    id,
    () => ({ status: "completed", progress: 100, fields: { completedAt: nowIso(), fileSizeBytes: joined.length, durationSeconds, format: "wav" } }),
    source,
  );
  if (moved) return settleJob(env, moved);
  // Ended otherwise while we joined (its session's history cleared): the file must not stay public.
  if ((await getJob(db, id))?.status !== "completed") await env.MEDIA.delete(key);
}

async function readFile(bucket: R2Bucket, key: string): Promise<Uint8Array> {
  const object = await bucket.get(key);
  if (!object) throw new WavError("a chunk's stored file is missing");
  return new Uint8Array(await object.arrayBuffer());
}
