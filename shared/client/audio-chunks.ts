import type { AudioChunkFrame, ServerFrame } from "../schemas/realtime";
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

// Replies stopped or replaced: their late frames (sent before the server heard the cancel) are ignored.
const FORGOTTEN_MEMORY = 64;
// A `media` frame comes whenever a reply's media moves on (the video too); these end its voice.
const AUDIO_DONE = new Set(["ready", "completed", "failed", "canceled"]);

/**
 * Plays a reply's `audio_chunk` frames gaplessly and in order with Web Audio (CHARACTER-ENGINE.md §4).
 * Each chunk is fetched and decoded as soon as its frame arrives, all in parallel, but put on the
 * timeline strictly by `seq`: a chunk waits until those before it are placed, a failed one is skipped,
 * and each starts exactly where the one before ends. A frame of another reply stops this one first.
 * The frames do not say which chunk is the last: the reply's `media` frame with a final `audio_status`
 * (the whole reply's audio, ready or failed) does; `handle` and `follow` pass both kinds of frame on.
 *
 * @example
 * const player = new AudioChunkPlayer({ baseUrl: "http://localhost:8000", onEnd: (id) => console.log(id, "spoken") });
 * const socket = client.connect();
 * player.follow(socket);
 * sendButton.onclick = () => { void player.resume(); socket.send(text, { characterId: "creative" }); }; // a user gesture unlocks audio
 * cancelButton.onclick = () => { socket.cancel(); player.stop(); };
 * // Over Server-Sent Events: for await (const event of client.streamMessage(text, { characterId: "creative" })) player.handle(event);
 */
export class AudioChunkPlayer {
  readonly context: AudioContextLike;
  /** The current reply's chunks as placed on the timeline, in seq order. */
  played: PlayedChunk[] = [];
  /** The current reply's skipped chunks. */
  skipped: SkippedChunk[] = [];
  messageId?: string;
  private readonly options: AudioChunkPlayerOptions;
  private readonly pending = new Map<number, Pending>();
  private readonly sources = new Set<BufferSource>();
  private readonly forgotten = new Set<string>();
  private nextSeq = 0;
  private nextStartTime = 0;
  /** No chunk of this reply is still to come (`finish`), and whether `onEnd` was said. */
  private complete = false;
  private ended = false;
  private aborter = new AbortController();

  constructor(options: AudioChunkPlayerOptions = {}) {
    this.options = options;
    this.context = options.context ?? new (globalThis as unknown as { AudioContext: new () => AudioContextLike }).AudioContext();
  }

  /** When the current reply's first chunk starts (context seconds), once it is placed. */
  get firstStartsAt(): number | undefined {
    return this.played[0]?.startsAt;
  }

  /** Whether a source is still scheduled or sounding. */
  get playing(): boolean {
    return this.sources.size > 0;
  }

  /** Resumes a context the browser's autoplay policy suspended; call it from a click or key handler. */
  resume(): Promise<void> {
    // Safari also says "interrupted" (a call, another app's audio); a closed context cannot come back.
    const { state } = this.context;
    return state === "running" || state === "closed" ? Promise.resolve() : this.context.resume();
  }

  /**
   * Takes any frame or streamed event: an `audio_chunk` is pushed, a `media` frame whose `audio_status`
   * is final finishes its reply, the rest is ignored.
   */
  handle(frame: ServerFrame | { type: string }): void {
    const typed = frame as ServerFrame;
    if (typed.type === "audio_chunk") this.push(typed);
    else if (typed.type === "media" && AUDIO_DONE.has(String(typed.media.audio_status))) this.finish(typed.message_id);
  }

  /** Plays what a socket's replies say (`handle` on its `audio_chunk` and `media` frames); returns the unsubscribe. */
  follow(socket: Pick<ChatSocket, "on">): () => void {
    const listen = (frame: ServerFrame) => this.handle(frame);
    const off = [socket.on("audio_chunk", listen), socket.on("media", listen)];
    return () => {
      for (const unsubscribe of off) unsubscribe();
    };
  }

  /** Takes a chunk in any order; a repeated or stale one is ignored. */
  push(frame: AudioChunkFrame): void {
    if (this.forgotten.has(frame.message_id)) return;
    if (frame.message_id !== this.messageId) this.begin(frame.message_id);
    if (frame.seq < this.nextSeq || this.pending.has(frame.seq)) return;
    const entry: Pending = { frame };
    this.pending.set(frame.seq, entry);
    if (frame.audio_url === null || frame.error !== undefined) {
      entry.buffer = null;
      entry.error = frame.error ?? "no audio";
      this.place();
      return;
    }
    void this.load(entry, frame.audio_url, this.aborter.signal);
  }

  /**
   * No more chunks of `messageId` will come: once the ones received are placed and have played, `onEnd`
   * says so. A seq that never came is no longer waited for. Another reply's id is ignored.
   */
  finish(messageId: string): void {
    if (messageId !== this.messageId || this.forgotten.has(messageId)) return;
    this.complete = true;
    this.place();
  }

  /** Stops what is sounding now and drops what is pending; later frames of this reply are ignored. */
  stop(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
    for (const source of this.sources) {
      source.onended = null;
      source.stop();
      source.disconnect();
    }
    this.sources.clear();
    this.pending.clear();
    if (this.messageId !== undefined) this.forget(this.messageId);
  }

  private begin(messageId: string): void {
    this.stop();
    this.messageId = messageId;
    this.played = [];
    this.skipped = [];
    this.nextSeq = 0;
    this.nextStartTime = 0;
    this.complete = false;
    this.ended = false;
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
    // stop() or a newer reply came while this one was on its way: its entries are gone.
    if (!signal.aborted) this.place();
  }

  /** Places every chunk whose turn has come: the next seq, decoded or failed, and so on while they are ready. */
  private place(): void {
    for (;;) {
      // Once the reply is complete, a seq that never came (a frame lost on the way) is not waited for.
      if (this.complete && this.pending.size > 0 && !this.pending.has(this.nextSeq)) this.nextSeq = Math.min(...this.pending.keys());
      const entry = this.pending.get(this.nextSeq);
      if (!entry || entry.buffer === undefined) break;
      this.pending.delete(this.nextSeq++);
      const { frame } = entry;
      if (entry.buffer) this.schedule(frame, entry.buffer);
      else this.skip({ messageId: frame.message_id, seq: frame.seq, text: frame.text, error: entry.error ?? "no audio" });
    }
    this.endIfDone();
  }

  private schedule(frame: AudioChunkFrame, buffer: DecodedAudio): void {
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.options.destination ?? this.context.destination);
    // Back to back with the chunk before; after an underrun (or for the first chunk) a little ahead of now.
    const startsAt = Math.max(this.nextStartTime, this.context.currentTime + (this.options.lead ?? 0.05));
    this.nextStartTime = startsAt + buffer.duration;
    source.onended = () => {
      this.sources.delete(source);
      source.disconnect();
      this.endIfDone();
    };
    this.sources.add(source);
    source.start(startsAt);
    const chunk = { messageId: frame.message_id, seq: frame.seq, text: frame.text, startsAt, duration: buffer.duration };
    this.played.push(chunk);
    this.options.onChunk?.(chunk);
  }

  private skip(chunk: SkippedChunk): void {
    this.skipped.push(chunk);
    this.options.onSkip?.(chunk);
  }

  private endIfDone(): void {
    if (!this.complete || this.ended || this.pending.size > 0 || this.sources.size > 0 || this.messageId === undefined) return;
    this.ended = true;
    this.options.onEnd?.(this.messageId);
  }

  private forget(messageId: string): void {
    this.forgotten.add(messageId);
    if (this.forgotten.size > FORGOTTEN_MEMORY) this.forgotten.delete(this.forgotten.values().next().value!);
  }
}
