/**
 * Speech and talking-head video for a chat reply: the one entry point send-message (and the WebSocket
 * turn) call. Answers the reply's `media` at once, with the URLs the files will have and status
 * "pending", or null when the character lacks the capability, the client turned media off, or no GPU
 * provider is configured. The jobs then run in the background; each one that finishes (or fails)
 * lands on the history message through the session's attachMedia.
 */
import { MAX_MEDIA_TEXT_CHARS } from "../../shared/schemas/media";
import { voiceCall } from "../../gpu-jobs/models";
import type { Caller } from "../auth/caller";
import { getDb } from "../db/client";
import type { CharacterRow } from "../db/schema";
import type { Env } from "../env";
import { assetPath, resultKey } from "./assets";
import { createJob, createTalkingHeadChain } from "./create";
import { gpuProvider } from "./gpu-provider";
import { submitJob } from "./submit-job";
import { getSessionMedia } from "./store";
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
}

export interface ReplyMedia {
  audio_url?: string;
  video_url?: string;
  status: "pending";
  audio_request_id?: string;
  video_request_id?: string;
}

/** Speech of at most MAX_MEDIA_TEXT_CHARS, cut at the last sentence end that fits. */
export function speakableText(text: string): string {
  const chars = [...text.trim()];
  if (chars.length <= MAX_MEDIA_TEXT_CHARS) return text.trim();
  const head = chars.slice(0, MAX_MEDIA_TEXT_CHARS).join("");
  const cut = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "));
  return cut > MAX_MEDIA_TEXT_CHARS / 2 ? head.slice(0, cut + 1) : head;
}

export async function startReplyMedia(env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, request: ReplyMediaRequest): Promise<ReplyMedia | null> {
  // The reply is stored already: a media failure must not turn it into an error.
  try {
    return await start(env, ctx, request);
  } catch (error) {
    log("error", "reply_media_failed", { message_id: request.messageId, error: errorText(error) });
    return null;
  }
}

async function start(env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, request: ReplyMediaRequest): Promise<ReplyMedia | null> {
  const { character, options } = request;
  const perMessage = typeof options === "object" ? options : { voice: options !== false, video: options !== false };
  const db = getDb(env.DB);
  const perSession = await getSessionMedia(db, request.sessionId);
  const wantVoice = character.capabilities.includes("voice") && perMessage.voice !== false && perSession?.voice !== false;
  const wantVideo = wantVoice && character.capabilities.includes("video") && !!character.avatarUrl && perMessage.video !== false && perSession?.video !== false;
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
    const { voice, video } = await createTalkingHeadChain(db, spec, speech.call, character.avatarUrl!);
    ctx.waitUntil(submitJob(env, voice.id).catch(logFailure(voice.id)));
    return {
      audio_url: assetPath(resultKey(voice)),
      video_url: assetPath(resultKey(video)),
      status: "pending",
      audio_request_id: voice.id,
      video_request_id: video.id,
    };
  }
  const voice = await createJob(db, spec, speech.call);
  ctx.waitUntil(submitJob(env, voice.id).catch(logFailure(voice.id)));
  return { audio_url: assetPath(resultKey(voice)), status: "pending", audio_request_id: voice.id };
}

export const logFailure = (id: string) => (error: unknown) => log("error", "media_submit_crashed", { request_id: id, error: errorText(error) });
