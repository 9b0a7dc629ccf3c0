/** Creating media jobs: a voice, a scene, or a talking-head chain (speech first, then the face). */
import type { JobKind, ModelCall } from "../../gpu-jobs/models";
import { randomId } from "../../shared/crypto";
import type { Db } from "../db/client";
import type { CharacterRow, MediaRequestRow } from "../db/schema";
import { newAssetName } from "./assets";
import { insertJobs, type NewJob } from "./store";

// Past these a job is failed by the reconciler: generous for a cold GPU, short enough to not hang forever.
const DEADLINE_SECONDS: Record<JobKind, number> = { voice: 5 * 60, talking_head: 15 * 60, scene: 15 * 60 };

export interface JobSpec {
  keyId: string;
  character: CharacterRow;
  text: string;
  provider: "replicate" | "cog";
  settings: Record<string, unknown>;
  reply?: { sessionId: string; messageId: string };
}

function row(spec: JobSpec, kind: JobKind, call: ModelCall | undefined, extra: Partial<NewJob>, createdAt: string, deadlineSeconds: number): NewJob {
  return {
    id: randomId("media_", 24),
    keyId: spec.keyId,
    mediaType: kind === "voice" ? "voice" : "video",
    kind,
    characterId: spec.character.id,
    text: spec.text,
    settings: spec.settings,
    provider: spec.provider,
    model: call?.model ?? "pending",
    input: call?.input ?? null,
    status: "queued",
    progress: 0,
    sessionId: spec.reply?.sessionId ?? null,
    messageId: spec.reply?.messageId ?? null,
    assetName: newAssetName(spec.reply ? "reply" : kind === "voice" ? "voice" : "video"),
    createdAt,
    lastEventAt: createdAt,
    deadlineAt: new Date(Date.parse(createdAt) + deadlineSeconds * 1000).toISOString(),
    ...extra,
  };
}

/** The row of one job with a known model call (a voice, or a scene), not yet stored. */
export function jobRow(spec: JobSpec, call: ModelCall): MediaRequestRow {
  const createdAt = new Date().toISOString();
  return row(spec, call.kind, call, {}, createdAt, DEADLINE_SECONDS[call.kind]) as MediaRequestRow;
}

/**
 * The rows of a speech job and the talking head it will drive, not yet stored: the video waits (queued,
 * no model input yet) until the speech completes, then starts with the speech's file.
 */
function talkingHeadRows(spec: JobSpec, speech: ModelCall, avatarUrl: string): { voice: MediaRequestRow; video: MediaRequestRow } {
  const createdAt = new Date().toISOString();
  const voice = row(spec, "voice", speech, {}, createdAt, DEADLINE_SECONDS.voice);
  const video = row(
    { ...spec, settings: { ...spec.settings, avatar_url: avatarUrl, video_model: spec.character.videoModel } },
    "talking_head",
    undefined,
    { dependsOn: voice.id },
    createdAt,
    DEADLINE_SECONDS.voice + DEADLINE_SECONDS.talking_head,
  );
  return { voice: voice as MediaRequestRow, video: video as MediaRequestRow };
}

/** The model name of a reply's whole audio: its chunks' WAVs joined by us (join-reply-audio.ts), no GPU. */
export const JOINED_SPEECH = "chatacter/joined-chunks";

/**
 * The rows of a reply's whole audio (id `id`, chosen when the turn began: its chunks name it) and, if
 * `avatarUrl`, of the talking head it will drive; not yet stored. The audio waits (queued, no input)
 * until every chunk has ended, the video until the audio is made.
 */
export function replyAudioRows(spec: JobSpec, id: string, chunkIds: string[], avatarUrl: string | undefined): MediaRequestRow[] {
  const createdAt = new Date().toISOString();
  // Its chunks have DEADLINE_SECONDS.voice each and run side by side; the join itself takes a moment.
  const audioDeadline = 2 * DEADLINE_SECONDS.voice;
  const audio = row({ ...spec, settings: { ...spec.settings, chunks: chunkIds } }, "voice", undefined, { id, model: JOINED_SPEECH }, createdAt, audioDeadline);
  if (!avatarUrl) return [audio as MediaRequestRow];
  const video = row(
    { ...spec, settings: { ...spec.settings, avatar_url: avatarUrl, video_model: spec.character.videoModel } },
    "talking_head",
    undefined,
    { dependsOn: id },
    createdAt,
    audioDeadline + DEADLINE_SECONDS.talking_head,
  );
  return [audio, video] as MediaRequestRow[];
}

/** One job with a known model call, stored. */
export async function createJob(db: Db, spec: JobSpec, call: ModelCall): Promise<MediaRequestRow> {
  const job = jobRow(spec, call);
  await insertJobs(db, [job]);
  return job;
}

/** A talking-head chain, stored in one batch. Answers both jobs; the video's id is the request. */
export async function createTalkingHeadChain(db: Db, spec: JobSpec, speech: ModelCall, avatarUrl: string) {
  const jobs = talkingHeadRows(spec, speech, avatarUrl);
  await insertJobs(db, [jobs.voice, jobs.video]);
  return jobs;
}
