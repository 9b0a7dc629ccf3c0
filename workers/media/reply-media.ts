/**
 * Speech and talking-head video for a chat reply: the entry points of the turn (HTTP or WebSocket).
 * planReplyMedia decides, with no I/O, what the reply's `media` is: the URLs the files will have and
 * status "pending", or null when the character lacks the capability, the client or the session turned
 * media off, or no GPU provider is configured. launchReplyMedia then stores the jobs and submits them
 * off the reply's path; each one that finishes (or fails) lands on the message through attachMedia.
 */
import { MAX_MEDIA_TEXT_CHARS } from "../../shared/schemas/media";
import { voiceCall } from "../../gpu-jobs/models";
import type { Caller } from "../auth/caller";
import { getDb } from "../db/client";
import type { CharacterRow, MediaRequestRow } from "../db/schema";
import type { Env, WaitUntil } from "../env";
import { assetPath, resultKey } from "./assets";
import { jobRow, talkingHeadRows } from "./create";
import { gpuProvider } from "./gpu-provider";
import { submitJob } from "./submit-job";
import { insertJobs } from "./store";
import { errorText, log } from "../log";

/** The client's choice for one message: `false` turns both off; an object turns each off. */
export type MediaOptions = boolean | { voice?: boolean; video?: boolean } | undefined;

export interface ReplyMediaRequest {
  caller: Caller;
  sessionId: string;
  messageId: string;
  character: CharacterRow;
  text: string;
  options?: MediaOptions;
  /** The session's switch (PUT /media/sessions/{id}). */
  session: { voice: boolean; video: boolean };
}

interface ReplyMedia {
  audio_url?: string;
  video_url?: string;
  status: "pending";
  audio_request_id?: string;
  video_request_id?: string;
}

/** A reply's media as decided: what the reply carries, the jobs to store, and the one to submit first. */
export interface ReplyMediaPlan {
  media: ReplyMedia;
  jobs: MediaRequestRow[];
  submit: string;
}

/** Speech of at most MAX_MEDIA_TEXT_CHARS, cut at the last sentence end that fits. */
export function speakableText(text: string): string {
  const chars = [...text.trim()];
  if (chars.length <= MAX_MEDIA_TEXT_CHARS) return text.trim();
  const head = chars.slice(0, MAX_MEDIA_TEXT_CHARS).join("");
  const cut = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "));
  return cut > MAX_MEDIA_TEXT_CHARS / 2 ? head.slice(0, cut + 1) : head;
}

export function planReplyMedia(env: Env, request: ReplyMediaRequest): ReplyMediaPlan | null {
  const { character, options, session } = request;
  const perMessage = typeof options === "object" ? options : { voice: options !== false, video: options !== false };
  const wantVoice = character.capabilities.includes("voice") && perMessage.voice !== false && session.voice;
  const wantVideo = wantVoice && character.capabilities.includes("video") && !!character.avatarUrl && perMessage.video !== false && session.video;
  const text = speakableText(request.text);
  if (!wantVoice || !text) return null;
  const provider = gpuProvider(env);
  if (!provider) return null;
  const speech = voiceCall(character.voiceModel, text, { speed: 1, pitch: 1, emotion: "neutral" });
  if (!speech.ok) return null;

  const spec = {
    keyId: request.caller.keyId,
    character,
    text,
    provider: provider.name,
    settings: { source: "reply" },
    reply: { sessionId: request.sessionId, messageId: request.messageId },
  };
  if (wantVideo) {
    const { voice, video } = talkingHeadRows(spec, speech.call, character.avatarUrl!);
    return {
      media: {
        audio_url: assetPath(resultKey(voice)),
        video_url: assetPath(resultKey(video)),
        status: "pending",
        audio_request_id: voice.id,
        video_request_id: video.id,
      },
      jobs: [voice, video],
      submit: voice.id,
    };
  }
  const voice = jobRow(spec, speech.call);
  return { media: { audio_url: assetPath(resultKey(voice)), status: "pending", audio_request_id: voice.id }, jobs: [voice], submit: voice.id };
}

/**
 * Stores a plan's jobs in one batch and submits the first in the background; answers once they are
 * stored (or `onStoreFailed` has run). The batch is sent before this returns, so before the reply that
 * names the jobs: D1 runs queries in the order they arrive, and a status request made after the reply finds the rows.
 */
export function launchReplyMedia(env: Env, ctx: WaitUntil, plan: ReplyMediaPlan, onStoreFailed: (error: unknown) => void): Promise<void> {
  const stored = insertJobs(getDb(env.DB), plan.jobs).then(
    () => true,
    (error: unknown) => {
      log("error", "reply_media_failed", { message_id: plan.jobs[0]!.messageId, error: errorText(error) });
      onStoreFailed(error);
      return false;
    },
  );
  ctx.waitUntil(stored.then((ok) => (ok ? submitJob(env, plan.submit).catch(logFailure(plan.submit)) : undefined)));
  return stored.then(() => undefined);
}

/** What a reply's media becomes when its jobs could not be stored: every part it promised, failed. */
export function unstoredMedia(plan: ReplyMediaPlan): Record<string, string> {
  const parts = (["audio", "video"] as const).filter((part) => plan.media[`${part}_request_id`] !== undefined);
  return Object.fromEntries(
    parts.flatMap((part) => [
      [`${part}_status`, "failed"],
      [`${part}_error`, "The media job could not be stored"],
    ]),
  );
}

export const logFailure = (id: string) => (error: unknown) => log("error", "media_submit_crashed", { request_id: id, error: errorText(error) });
