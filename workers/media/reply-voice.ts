/**
 * A chat reply's speech (and face), made while its text streams (CHARACTER-ENGINE.md §4). Each chunk
 * the SpeechChunker completes becomes a speech job at once: a media_requests row with settings
 * `{source: "reply_chunk", seq, reply_audio}`, stored and submitted in the background. When the text
 * ends, one more row stands for the whole reply's audio (JOINED_SPEECH: the chunks' files joined by
 * join-reply-audio.ts once every chunk has ended), with the talking head chained to it. Its id is
 * chosen up front, so every chunk names it.
 */
import { MAX_MEDIA_TEXT_CHARS } from "../../shared/schemas/media";
import { randomId } from "../../shared/crypto";
import { voiceCall, type ModelCall } from "../../gpu-jobs/models";
import type { Caller } from "../auth/caller";
import { getDb } from "../db/client";
import type { CharacterRow, MediaRequestRow } from "../db/schema";
import type { Env, WaitUntil } from "../env";
import { SpeechChunker } from "../voice/chunker";
import { assetPath, resultKey } from "./assets";
import { jobRow, replyAudioRows, type JobSpec } from "./create";
import { cancelJob, failJob } from "./end-job";
import { gpuProvider } from "./gpu-provider";
import { joinReplyAudio } from "./join-reply-audio";
import { insertJobs, touchJob } from "./store";
import { submitJob } from "./submit-job";
import { errorText, log } from "../log";

/** The client's choice for one message: `false` turns both off; an object turns each off. */
export type MediaOptions = boolean | { voice?: boolean; video?: boolean } | undefined;

/** The session's switch (PUT /media/sessions/{id}); undefined when it could not be read (no media then). */
type SessionSwitch = { voice: boolean; video: boolean } | undefined;

export interface ReplyVoiceRequest {
  caller: Caller;
  sessionId: string;
  messageId: string;
  character: CharacterRow;
  options?: MediaOptions;
  /** Read while the LLM starts: the first chunk waits for it, the text never does. */
  session: Promise<SessionSwitch>;
}

export interface ReplyVoiceHooks {
  /** A chunk that will never be voiced (its job could not be stored): its frame must say so, or later chunks wait for it. */
  lost(seq: number, text: string, error: string): void;
}

/** What a reply carries while its media is made. */
export interface PendingMedia {
  audio_url: string;
  video_url?: string;
  status: "pending";
  audio_request_id: string;
  video_request_id?: string;
}

/** The reply's media as it leaves, and the promise of its rows reaching D1 (false: they did not). */
export interface FinishedVoice {
  media: PendingMedia;
  stored: Promise<boolean>;
}

interface Chunk {
  seq: number;
  id: string;
  stored: Promise<boolean>;
}

export class ReplyVoice {
  readonly #chunker = new SpeechChunker();
  readonly #chunks: Chunk[] = [];
  readonly #voiced = new Set<number>();
  readonly #texts: string[] = [];
  readonly #audioId = randomId("media_", 24);
  #chars = 0;
  #full = false;
  #stopped = false;
  #finished = false;
  readonly #env: Env;
  readonly #ctx: WaitUntil;
  readonly #request: ReplyVoiceRequest;
  readonly #hooks: ReplyVoiceHooks;
  readonly #call: (text: string) => ModelCall;
  readonly #spec: JobSpec;

  /** A reply's voice, or undefined when it can have none (no voice capability, turned off, no GPU provider, no usable voice). */
  static start(env: Env, ctx: WaitUntil, request: ReplyVoiceRequest, hooks: ReplyVoiceHooks): ReplyVoice | undefined {
    const { character, options } = request;
    if (!character.capabilities.includes("voice") || !perMessage(options).voice) return undefined;
    const provider = gpuProvider(env);
    if (!provider) return undefined;
    const settings = { speed: 1, pitch: 1, emotion: "neutral" } as const;
    if (!voiceCall(character.voiceModel, "-", settings).ok) return undefined;
    const call = (text: string) => (voiceCall(character.voiceModel, text, settings) as { call: ModelCall }).call;
    const spec: JobSpec = {
      keyId: request.caller.keyId,
      character,
      text: "",
      provider: provider.name,
      settings: {},
      reply: { sessionId: request.sessionId, messageId: request.messageId },
    };
    return new ReplyVoice(env, ctx, request, hooks, call, spec);
  }

  private constructor(env: Env, ctx: WaitUntil, request: ReplyVoiceRequest, hooks: ReplyVoiceHooks, call: (text: string) => ModelCall, spec: JobSpec) {
    this.#env = env;
    this.#ctx = ctx;
    this.#request = request;
    this.#hooks = hooks;
    this.#call = call;
    this.#spec = spec;
  }

  /** Feeds a delta of the reply's text; each chunk it completes is voiced at once. */
  push(delta: string): void {
    if (this.#stopped) return;
    for (const text of this.#chunker.push(delta)) this.#voice(text);
  }

  /**
   * The text has ended: the rest is voiced, and the whole reply's audio (and video) rows are stored.
   * Answers the reply's media, or null when nothing was voiced (no words, the session's voice off).
   */
  async finish(): Promise<FinishedVoice | null> {
    if (this.#stopped || this.#finished) return null;
    for (const text of this.#chunker.flush()) this.#voice(text);
    this.#finished = true;
    const session = await this.#request.session;
    if (!session?.voice || this.#chunks.length === 0) return null;
    const { character, options } = this.#request;
    const wantVideo = character.capabilities.includes("video") && !!character.avatarUrl && perMessage(options).video && session.video;
    const rows = replyAudioRows(
      { ...this.#spec, text: this.#texts.join(" "), settings: { source: "reply" } },
      this.#audioId,
      this.#chunks.map((chunk) => chunk.id),
      wantVideo ? (character.avatarUrl ?? undefined) : undefined,
    );
    const [audio, video] = rows as [MediaRequestRow, MediaRequestRow | undefined];
    const media: PendingMedia = { audio_url: assetPath(resultKey(audio)), status: "pending", audio_request_id: audio.id };
    if (video) Object.assign(media, { video_url: assetPath(resultKey(video)), video_request_id: video.id });
    // Not waited for: sent after every chunk's row and before the reply that names it leaves (D1 runs
    // queries in the order they arrive), so a status request made after the reply finds it.
    const inserted = insertJobs(getDb(this.#env.DB), rows).then(
      () => true,
      (error: unknown) => {
        log("error", "reply_media_failed", { message_id: this.#request.messageId, error: errorText(error) });
        return false;
      },
    );
    // Every chunk may have ended already: the join is tried once the row exists, as each chunk's end tries it.
    const joined = inserted.then(async (ok) => {
      if (!ok) return;
      await this.#dropLost(audio.id);
      await joinReplyAudio(this.#env, audio.id, "turn");
    });
    this.#ctx.waitUntil(joined.catch(logFailure(audio.id)));
    return { media, stored: inserted };
  }

  /** Chunks whose rows could not be stored (D1 failing) leave the whole audio's list, so its join never waits for them. */
  async #dropLost(audioId: string): Promise<void> {
    const stored = await Promise.all(this.#chunks.map((chunk) => chunk.stored));
    if (stored.every(Boolean)) return;
    const kept = this.#chunks.filter((_, i) => stored[i]).map((chunk) => chunk.id);
    if (kept.length === 0) return failJob(this.#env, audioId, "SERVICE_UNAVAILABLE", "None of the reply's speech could be stored", "turn");
    await touchJob(getDb(this.#env.DB), audioId, { settings: { source: "reply", chunks: kept } });
  }

  /** A chunk's audio (or failure) reached the client: it is no longer "speaking". */
  voiced(seq: number): void {
    this.#voiced.add(seq);
  }

  /** Whether any chunk has not ended yet (or the text still streams). */
  get speaking(): boolean {
    return !this.#stopped && (!this.#finished || this.#chunks.some((chunk) => !this.#voiced.has(chunk.seq)));
  }

  /**
   * Stops the voice: no more chunks, and the chunks not yet voiced are canceled, at the provider too
   * (a `cancel`, or a new turn while the character speaks). Their whole-reply audio ends canceled.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#chunker.cancel();
    const open = this.#chunks.filter((chunk) => !this.#voiced.has(chunk.seq));
    const canceled = Promise.all(
      open.map(async (chunk) => {
        if (await chunk.stored) await cancelJob(this.#env, chunk.id, "interrupt");
      }),
    );
    this.#ctx.waitUntil(canceled.catch(logFailure(this.#audioId)));
  }

  #voice(text: string): void {
    // The whole reply's speech is bounded as one voice request is: what goes past it stays unspoken.
    this.#full ||= this.#chars + text.length > MAX_MEDIA_TEXT_CHARS;
    if (this.#full) return;
    this.#chars += text.length;
    this.#texts.push(text);
    const seq = this.#chunks.length;
    const row = jobRow({ ...this.#spec, text, settings: { source: "reply_chunk", seq, reply_audio: this.#audioId } }, this.#call(text));
    const stored = this.#request.session.then(async (session) => {
      if (!session?.voice) return false;
      try {
        await insertJobs(getDb(this.#env.DB), [row]);
      } catch (error) {
        log("error", "reply_chunk_failed", { message_id: this.#request.messageId, seq, error: errorText(error) });
        this.#hooks.lost(seq, text, "The speech job could not be stored");
        return false;
      }
      this.#ctx.waitUntil(submitJob(this.#env, row.id).catch(logFailure(row.id)));
      return true;
    });
    this.#chunks.push({ seq, id: row.id, stored });
  }
}

function perMessage(options: MediaOptions): { voice: boolean; video: boolean } {
  if (typeof options === "object") return { voice: options.voice !== false, video: options.video !== false };
  return { voice: options !== false, video: options !== false };
}

/** What a reply's media becomes when its rows could not be stored: every part it promised, failed. */
export function unstoredMedia(media: PendingMedia): Record<string, string> {
  const parts = (["audio", "video"] as const).filter((part) => media[`${part}_request_id`] !== undefined);
  return Object.fromEntries(
    parts.flatMap((part) => [
      [`${part}_status`, "failed"],
      [`${part}_error`, "The media job could not be stored"],
    ]),
  );
}

export const logFailure = (id: string) => (error: unknown) => log("error", "media_submit_crashed", { request_id: id, error: errorText(error) });
