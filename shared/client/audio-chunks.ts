import type { AudioChunkFrame, ServerFrame } from "../schemas/realtime";
import type { StreamEvent } from "./branches.js";
import type { ChatSocket } from "./session.js";

// The Web Audio surface the player uses, declared here so that the SDK typechecks without the DOM
// library (it is built and imported in Node and Workers too); a browser's AudioContext fits it.
interface DecodedAudio {
  readonly duration: number;
}
interface AudioNodeLike {
  connect(destination: AudioNodeLike): unknown;
  disconnect(): void;
}
interface BufferSource extends AudioNodeLike {
  buffer: DecodedAudio | null;
  onended: ((event: never) => void) | null;
  start(when?: number): void;
  stop(): void;
}
interface AudioContextLike {
  readonly currentTime: number;
  readonly state: string;
  readonly destination: AudioNodeLike;
  resume(): Promise<void>;
  createBufferSource(): BufferSource;
  decodeAudioData(data: ArrayBuffer): Promise<DecodedAudio>;
}

/** A chunk put on the AudioContext's timeline: `startsAt` and `duration` in the context's seconds. */
export interface PlayedChunk {
  messageId: string;
  seq: number;
  text: string;
  startsAt: number;
  duration: number;
}

/** A chunk passed over: its speech failed on the server (`error`), or its file could not be fetched or decoded. */
export interface SkippedChunk {
  messageId: string;
  seq: number;
  text: string;
  error: string;
}

export interface AudioChunkPlayerOptions {
  /** The context to play on (default: a new AudioContext). Browsers start it suspended until a user gesture: see `resume()`. */
  context?: AudioContextLike;
  /** Where the sources connect (default: the context's destination), e.g. a gain or an analyser. */
  destination?: AudioNodeLike;
  /** What relative `audio_url`s (`/assets/...`) resolve against: the API's origin (default: the page's address). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** How far ahead of "now" a reply's first chunk is scheduled, in seconds (default 0.05), so its start is not clipped. */
  lead?: number;
  onChunk?(chunk: PlayedChunk): void;
  onSkip?(chunk: SkippedChunk): void;
  /** The reply, `finish`ed, has played to its end (not called after `stop()`). */
  onEnd?(messageId: string): void;
}

/** A chunk between its frame and its place on the timeline: decoding (`buffer` undefined), decoded, or failed (null). */
interface Pending {
  frame: AudioChunkFrame;
  buffer?: DecodedAudio | null;
  error?: string;
}

/** One reply's voice: its chunks on their way to the timeline, and what it has placed there. */
interface ReplyVoice {
  id: string;
  characterId?: string;
  pending: Map<number, Pending>;
  nextSeq: number;
  /** No chunk of it is still to come (`finish`, or its turn is over). */
  complete: boolean;
  /** Chunks of it came (a reply known only from its text leaves the queue if its response has no voice). */
  heard: boolean;
  /** Its `response` came. */
  answered: boolean;
  /** Its sources still scheduled or sounding. */
  sounding: number;
  played: PlayedChunk[];
  skipped: SkippedChunk[];
}

/** The frames and streamed events `handle` acts on; anything else is ignored. */
type HandledFrame = ServerFrame | StreamEvent;

// Replies stopped, dropped or done: their late frames (sent before the server heard the cancel) are ignored.
const FORGOTTEN_MEMORY = 256;
// A `media` frame comes whenever a reply's media moves on (the video too); these end its voice.
const AUDIO_DONE = new Set(["ready", "completed", "failed", "canceled"]);

/**
 * Plays replies' `audio_chunk` frames gaplessly and in order with Web Audio (CHARACTER-ENGINE.md §4).
 * Each chunk is fetched and decoded as soon as its frame arrives, all in parallel, but put on the
 * timeline strictly by `seq`: a chunk waits until those before it are placed, a failed one is skipped,
 * and each starts exactly where the one before ends. The frames do not say which chunk is the last:
 * the reply's `media` frame with a final `audio_status` (the whole reply's audio, ready or failed)
 * does, or `finish(id)`.
 *
 * Replies queue: in a group turn every speaker is voiced at once and their chunks may interleave, but
 * each reply is heard whole, in the order the replies were written (the order their text started,
 * from `response_chunk` frames; without those, the order their first chunk came), the next one's
 * first chunk right where the last one's ends. Only `stop()` silences: call it when the user sends a
 * message or cancels. `handle` and `follow` take every kind of frame this needs: `audio_chunk`,
 * `media`, `response_chunk` and `response` (a reply with no voice leaves the queue), `error` (a failed
 * reply's voice ends with what came of it) and `user_message` (a new user message ends the voices of
 * the turns before it on the server: each plays what it has, nothing more is waited for).
 *
 * @example
 * const player = new AudioChunkPlayer({ baseUrl: "http://localhost:8000", onEnd: (id) => console.log(id, "spoken") });
 * const socket = client.connect();
 * player.follow(socket);
 * sendButton.onclick = () => { void player.resume(); player.stop(); socket.send(text); }; // a user gesture unlocks audio
 * cancelButton.onclick = () => { socket.cancel(); player.stop(); };
 * // Over Server-Sent Events: for await (const event of client.streamMessage(text, { characterId: "creative" })) player.handle(event);
 */
export class AudioChunkPlayer {
  readonly context: AudioContextLike;
  private readonly options: AudioChunkPlayerOptions;
  /** Replies not yet wholly placed, in the order they are heard: the first is being placed. */
  private queue: ReplyVoice[] = [];
  /** Every reply not yet ended or forgotten, by id. */
  private readonly voices = new Map<string, ReplyVoice>();
  /** The reply whose chunk was placed last. */
  private current?: ReplyVoice;
  private readonly sources = new Set<BufferSource>();
  private readonly forgotten = new Set<string>();
  private nextStartTime = 0;
  private aborter = new AbortController();

  constructor(options: AudioChunkPlayerOptions = {}) {
    this.options = options;
    this.context = options.context ?? new (globalThis as unknown as { AudioContext: new () => AudioContextLike }).AudioContext();
  }

  /** The reply speaking now (or last): the one whose chunk was placed last. */
  get messageId(): string | undefined {
    return this.current?.id;
  }

  /** That reply's chunks as placed on the timeline, in seq order. */
  get played(): PlayedChunk[] {
    return this.current?.played ?? [];
  }

  /** That reply's skipped chunks. */
  get skipped(): SkippedChunk[] {
    return this.current?.skipped ?? [];
  }

  /** When that reply's first chunk starts (context seconds). */
  get firstStartsAt(): number | undefined {
    return this.played[0]?.startsAt;
  }

  /** Whether a source is still scheduled or sounding. */
  get playing(): boolean {
    return this.sources.size > 0;
  }

  /** The replies waiting to be heard, in order (the one being placed first). */
  get queued(): string[] {
    return this.queue.map((voice) => voice.id);
  }

  /** Resumes a context the browser's autoplay policy suspended; call it from a click or key handler. */
  resume(): Promise<void> {
    // Safari also says "interrupted" (a call, another app's audio); a closed context cannot come back.
    const { state } = this.context;
    return state === "running" || state === "closed" ? Promise.resolve() : this.context.resume();
  }

  /**
   * Takes any frame or streamed event: an `audio_chunk` is pushed, a `media` frame whose `audio_status`
   * is final finishes its reply, a `response_chunk` gives its reply a place in the queue, a `response`
   * without voice takes it out, an `error` about a turn finishes the reply that failed, a `user_message`
   * settles the replies before it; the rest is ignored.
   */
  handle(frame: HandledFrame | { type: string }): void {
    const typed = frame as HandledFrame;
    switch (typed.type) {
      case "audio_chunk":
        this.push(typed);
        break;
      case "media":
        if (AUDIO_DONE.has(String(typed.media.audio_status))) this.finish(typed.message_id);
        break;
      case "response_chunk":
        this.voice(typed.message_id, typed.character_id);
        break;
      case "response":
        this.answered(typed.message_id, Boolean(typed.media?.audio_url), typed.metadata.finish_reason === "cancelled");
        break;
      case "error":
        // A turn's error (its speaker's, in a group): the reply being written gets no more voice.
        if (typed.character_id || typed.user_message_id) this.failed(typed.character_id);
        break;
      case "user_message":
        this.settle();
        break;
    }
  }

  /** Plays what a socket's replies say (`handle` on the frames it needs); returns the unsubscribe. */
  follow(socket: Pick<ChatSocket, "on">): () => void {
    const listen = (frame: ServerFrame) => this.handle(frame);
    const off = (["audio_chunk", "media", "response_chunk", "response", "error", "user_message"] as const).map((type) => socket.on(type, listen));
    return () => {
      for (const unsubscribe of off) unsubscribe();
    };
  }

  /** Takes a chunk in any order; a repeated or stale one is ignored. */
  push(frame: AudioChunkFrame): void {
    const voice = this.voice(frame.message_id, frame.character_id);
    if (!voice) return;
    voice.heard = true;
    if (frame.seq < voice.nextSeq || voice.pending.has(frame.seq)) return;
    const entry: Pending = { frame };
    voice.pending.set(frame.seq, entry);
    if (frame.audio_url === null || frame.error !== undefined) {
      entry.buffer = null;
      entry.error = frame.error ?? "no audio";
      this.place();
      return;
    }
    void this.load(entry, frame.audio_url, this.aborter.signal);
  }

  /**
   * No more chunks of `messageId` will come: once the ones received have played, `onEnd` says so and
   * the next reply in the queue follows. A seq that never came is no longer waited for. An id the
   * player has no chunk of is ignored.
   */
  finish(messageId: string): void {
    const voice = this.forgotten.has(messageId) ? undefined : this.voices.get(messageId);
    if (!voice) return;
    voice.complete = true;
    this.place();
  }

  /**
   * No more chunks will come for any reply heard so far (a new turn began: the server stopped voicing
   * the earlier ones). Each plays what it has, in order; unlike `stop()`, nothing is cut.
   */
  settle(): void {
    for (const voice of [...this.queue]) {
      if (voice.heard) voice.complete = true;
      else this.drop(voice);
    }
    this.place();
  }

  /** Stops what is sounding now and drops every reply pending or queued; their later frames are ignored. */
  stop(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
    for (const source of this.sources) {
      source.onended = null;
      source.stop();
      source.disconnect();
    }
    this.sources.clear();
    for (const id of this.voices.keys()) this.forget(id);
    this.voices.clear();
    this.queue = [];
    this.nextStartTime = 0;
  }

  /** The voice of reply `id`, queued at its first sign (its text or a chunk); undefined once forgotten. */
  private voice(id: string, characterId?: string): ReplyVoice | undefined {
    if (this.forgotten.has(id)) return undefined;
    let voice = this.voices.get(id);
    if (!voice) {
      voice = { id, characterId, pending: new Map(), nextSeq: 0, complete: false, heard: false, answered: false, sounding: 0, played: [], skipped: [] };
      this.voices.set(id, voice);
      this.queue.push(voice);
    }
    return voice;
  }

  /** The reply's text is complete: without voice (or cut short by a cancel), its voice has nothing more to come. */
  private answered(id: string, voiced: boolean, cancelled: boolean): void {
    const voice = this.forgotten.has(id) ? undefined : this.voices.get(id);
    if (!voice) return;
    voice.answered = true;
    if (!voiced && !voice.heard) this.drop(voice);
    else if (!voiced || cancelled) voice.complete = true;
    this.place();
  }

  /** A reply failed while being written (the speaker's, if named): what came of its voice plays, nothing more. */
  private failed(characterId: string | undefined): void {
    for (const voice of [...this.queue]) {
      if (voice.answered || (characterId !== undefined && voice.characterId !== characterId)) continue;
      if (voice.heard) voice.complete = true;
      else this.drop(voice);
    }
    this.place();
  }

  /** Takes a reply that has nothing to play out of the queue. */
  private drop(voice: ReplyVoice): void {
    this.queue = this.queue.filter((queued) => queued !== voice);
    this.voices.delete(voice.id);
    this.forget(voice.id);
  }

  /** Fetches and decodes a chunk while earlier ones may still be on their way, then places what is ready. */
  private async load(entry: Pending, url: string, signal: AbortSignal): Promise<void> {
    try {
      const base = this.options.baseUrl ?? (globalThis as { location?: { href: string } }).location?.href;
      const response = await (this.options.fetch ?? fetch)(new URL(url, base), { signal });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      entry.buffer = await this.context.decodeAudioData(await response.arrayBuffer());
    } catch (error) {
      entry.buffer = null;
      entry.error = error instanceof Error ? error.message : String(error);
    }
    // stop() came while this one was on its way: its entries are gone.
    if (!signal.aborted) this.place();
  }

  /**
   * Places every chunk whose turn has come: the first reply's next seq, decoded or failed, and so on
   * while they are ready; once a complete reply is wholly placed, the next reply's chunks follow it.
   */
  private place(): void {
    for (let voice = this.queue[0]; voice; voice = this.queue[0]) {
      for (;;) {
        // Once the reply is complete, a seq that never came (a frame lost on the way) is not waited for.
        if (voice.complete && voice.pending.size > 0 && !voice.pending.has(voice.nextSeq)) voice.nextSeq = Math.min(...voice.pending.keys());
        const entry = voice.pending.get(voice.nextSeq);
        if (!entry || entry.buffer === undefined) break;
        voice.pending.delete(voice.nextSeq++);
        const { frame } = entry;
        if (entry.buffer) this.schedule(voice, frame, entry.buffer);
        else this.skip(voice, { messageId: frame.message_id, seq: frame.seq, text: frame.text, error: entry.error ?? "no audio" });
      }
      if (!voice.complete || voice.pending.size > 0) return;
      // All of it is on the timeline: the next reply starts where it ends, and its late frames are ignored.
      this.queue.shift();
      this.forget(voice.id);
      this.endIfDone(voice);
    }
  }

  private schedule(voice: ReplyVoice, frame: AudioChunkFrame, buffer: DecodedAudio): void {
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.options.destination ?? this.context.destination);
    // Back to back with the chunk before; after an underrun (or for the first chunk) a little ahead of now.
    const startsAt = Math.max(this.nextStartTime, this.context.currentTime + (this.options.lead ?? 0.05));
    this.nextStartTime = startsAt + buffer.duration;
    source.onended = () => {
      this.sources.delete(source);
      source.disconnect();
      voice.sounding--;
      this.endIfDone(voice);
    };
    this.sources.add(source);
    voice.sounding++;
    source.start(startsAt);
    const chunk = { messageId: frame.message_id, seq: frame.seq, text: frame.text, startsAt, duration: buffer.duration };
    this.current = voice;
    voice.played.push(chunk);
    this.options.onChunk?.(chunk);
  }

  private skip(voice: ReplyVoice, chunk: SkippedChunk): void {
    this.current = voice;
    voice.skipped.push(chunk);
    this.options.onSkip?.(chunk);
  }

  /** The reply has played to its end: said once, and only if nothing stopped it. */
  private endIfDone(voice: ReplyVoice): void {
    if (!voice.complete || voice.pending.size > 0 || voice.sounding > 0 || this.voices.get(voice.id) !== voice || this.queue.includes(voice)) return;
    this.voices.delete(voice.id);
    this.options.onEnd?.(voice.id);
  }

  private forget(messageId: string): void {
    this.forgotten.add(messageId);
    if (this.forgotten.size > FORGOTTEN_MEMORY) this.forgotten.delete(this.forgotten.values().next().value!);
  }
}
