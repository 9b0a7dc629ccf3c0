import type { ServerFrame } from "../../../shared/schemas/realtime";
import type { MessageMedia, StoredMessage } from "../../chat/turn";
import type { Env } from "../../env";
import { ReplyVoice, unstoredMedia, type MediaOptions } from "../../media/reply-voice";
import type { Caller } from "../../auth/caller";
import type { CharacterRow } from "../../db/schema";
import type { HistoryStore } from "./history-store";
import type { SessionMediaSwitch } from "./media-switch";
import type { VoiceFrames } from "./voice-frames";
import { errorText, log } from "../../log";

type Emit = (frame: ServerFrame) => void;

/** What a reply's voice needs to know of its turn. */
export interface VoicedTurn {
  caller: Caller;
  sessionId: string;
  character: CharacterRow;
  media?: MediaOptions;
  requestId?: string;
}

/**
 * The voices of a session's replies (media/reply-voice.ts): each started with its reply, fed its
 * deltas, finished (the reply then carries its whole audio as pending) or stopped. The last turn's
 * voices are kept, one per speaker in a group: a new turn stops those still speaking.
 */
export class SessionVoices {
  private voices: { messageId: string; voice: ReplyVoice }[] = [];
  // The whole-audio rows of replies that are still being stored in D1.
  private readonly storing = new Set<Promise<void>>();

  constructor(
    private readonly env: Env,
    private readonly ctx: DurableObjectState,
    private readonly store: HistoryStore,
    private readonly side: {
      mediaSwitch: SessionMediaSwitch;
      frames: VoiceFrames;
      /** Stores a change to a reply's media and tells everyone who listens. */
      attachMedia: (messageId: string, media: MessageMedia) => void;
    },
  ) {}

  /**
   * The reply's voice, or undefined when it has none; its frames go to every socket and to the
   * requester (an SSE stream), which VoiceFrames holds until the whole reply's audio has ended.
   */
  start(turn: VoicedTurn, replyId: string, requester: Emit | undefined): ReplyVoice | undefined {
    const { character } = turn;
    if (!character.capabilities.includes("voice")) return undefined;
    // Read while the LLM starts (once per object: later turns find it in memory); the first chunk waits for it.
    const session = this.side.mediaSwitch.get(turn.sessionId).catch((error: unknown) => {
      logError(turn, error);
      return undefined;
    });
    const frames = this.side.frames;
    const voice = ReplyVoice.start(
      this.env,
      this.ctx,
      { ...turn, messageId: replyId, options: turn.media, session },
      {
        lost: (seq, text, error) =>
          frames.add({ type: "audio_chunk", message_id: replyId, character_id: character.id, seq, text, audio_url: null, duration_seconds: null, error }),
      },
    );
    if (!voice) return undefined;
    frames.open(replyId, requester);
    this.voices.push({ messageId: replyId, voice });
    return voice;
  }

  /** A new turn (or a `cancel`) while the characters still speak: the rest of their voices is canceled. Answers whether any spoke. */
  interrupt(): boolean {
    const speaking = this.voices.filter(({ voice }) => voice.speaking);
    for (const { voice, messageId } of speaking) this.stop(voice, messageId);
    this.voices = [];
    return speaking.length > 0;
  }

  stop(voice: ReplyVoice, messageId: string): void {
    voice.stop();
    this.side.frames.stop(messageId);
  }

  /** The text has ended: the rest is voiced, and the reply carries its whole audio (and video) as pending. */
  async finish(turn: VoicedTurn, voice: ReplyVoice, reply: StoredMessage): Promise<void> {
    let finished: Awaited<ReturnType<ReplyVoice["finish"]>> = null;
    try {
      finished = await voice.finish();
    } catch (error) {
      // The reply is stored already: a media failure must not turn it into an error.
      logError(turn, error);
    }
    if (!finished) return this.side.frames.stop(reply.id);
    const { media, stored } = finished;
    reply.media = this.store.setMedia(reply.id, { ...media });
    const done = stored.then((ok) => {
      if (!ok) this.side.attachMedia(reply.id, unstoredMedia(media));
    });
    this.storing.add(done);
    void done.finally(() => this.storing.delete(done));
  }

  /** A chunk of a reply's speech has ended (its frame was handed to VoiceFrames). */
  voiced(messageId: string, seq: number): void {
    this.voices.find((entry) => entry.messageId === messageId)?.voice.voiced(seq);
  }

  /** The `audio_chunk` frames a reply has sent so far: a reconnecting client catches up on its voice too. */
  sent(replyId: string): ServerFrame[] {
    return this.side.frames.sent(replyId);
  }

  /** Resolves once the media rows of every reply so far are in D1 (or failed to get there). */
  async stored(): Promise<void> {
    await Promise.all(this.storing);
  }
}

function logError(turn: VoicedTurn, error: unknown): void {
  log("error", "reply_media_failed", { session_id: turn.sessionId, ...(turn.requestId ? { request_id: turn.requestId } : {}), error: errorText(error) });
}
