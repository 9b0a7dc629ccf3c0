/** After a job's terminal move: the jobs waiting on it are driven or ended, and its chat message told. */
import { isTerminal } from "../../gpu-jobs/job-machine";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import { sessionStub } from "../durable-objects/chat-session/session-stub";
import type { Env } from "../env";
import { startTalkingHead } from "./chain";
import { cancelJob, failJob } from "./end-job";
import { isReplyChunk, joinReplyAudio, replyAudioOf } from "./join-reply-audio";
import { audioChunkOf, messageMediaOf } from "./message-media";
import { dependentsOf, getJob } from "./store";
import { errorText, log } from "../log";

export async function settleJob(env: Env, row: MediaRequestRow): Promise<void> {
  if (isReplyChunk(row)) return settleReplyChunk(env, row);
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
      log("error", "attach_media_failed", { request_id: row.id, error: errorText(error) });
    }
  }
}

/** Settles a finished job again (the reconciler, when a chained job was left waiting). */
export async function resettleJob(env: Env, id: string): Promise<void> {
  const row = await getJob(getDb(env.DB), id);
  if (row && isTerminal(row.status)) await settleJob(env, row);
}

/** A reply chunk's speech ended: its frame goes to the session, then the whole reply's audio may be made. */
async function settleReplyChunk(env: Env, row: MediaRequestRow): Promise<void> {
  try {
    await sessionStub(env, row.sessionId!).attachAudioChunk(audioChunkOf(row));
  } catch (error) {
    log("error", "attach_media_failed", { request_id: row.id, error: errorText(error) });
  }
  await joinReplyAudio(env, replyAudioOf(row), "chain");
}
