import type { ErrorFrame, ResponseFrame } from "../schemas/realtime";
import { ChatacterError } from "./errors.js";
import type { SpeakerFailure } from "./groups.js";

/**
 * What `ChatSocket.send` resolves with: the reply's `response` frame; in a group session, the first
 * reply's, with every reply of the turn in `replies` (in the order spoken) and the speakers whose reply
 * failed in `failed`, as chat/message answers over HTTP.
 */
export type TurnResponseFrame = ResponseFrame & { replies?: ResponseFrame[]; failed?: SpeakerFailure[] };

/** An error frame naming the group speaker whose reply failed. */
export type SpeakerErrorFrame = ErrorFrame & { character_id: string };

/**
 * A group turn as a socket hears it (CHARACTER-ENGINE.md §5): the `user_message` frame names the
 * speakers, who answer one after another, each ending with a `response` or an `error` frame naming it.
 * Only the first speaker's frames echo the client's id; a later reply is known as this turn's by
 * answering the turn's last message (its `user_message_id` is the reply before it, or the user's
 * message) and by coming from the speaker whose turn it is. The server runs a session's turns one at
 * a time, so no other turn's frames come between.
 */
export class GroupTurn {
  readonly replies: ResponseFrame[] = [];
  readonly failed: SpeakerFailure[] = [];
  /** The message the next reply answers. */
  private last: string;

  constructor(
    readonly speakers: string[],
    readonly userMessageId: string,
  ) {
    this.last = userMessageId;
  }

  /** The speaker whose reply comes next. */
  get speaking(): string | undefined {
    return this.speakers[this.replies.length + this.failed.length];
  }

  /** Every speaker has answered or failed, or a `cancel` cut a reply short (the rest of the turn is not run). */
  get complete(): boolean {
    return this.speaking === undefined || this.replies.at(-1)?.cancelled === true;
  }

  owns(frame: ResponseFrame | SpeakerErrorFrame): boolean {
    if (this.complete || frame.character_id !== this.speaking) return false;
    return frame.type === "error" || frame.user_message_id === this.last;
  }

  add(frame: ResponseFrame | SpeakerErrorFrame): void {
    if (frame.type === "error") {
      this.failed.push({ character_id: frame.character_id, code: frame.code, message: frame.message });
      return;
    }
    this.replies.push(frame);
    this.last = frame.message_id;
  }

  /** The turn's answer; if no speaker answered, the error HTTP would answer (503, naming each failure). */
  result(): TurnResponseFrame | ChatacterError {
    const [first] = this.replies;
    if (first) return { ...first, replies: this.replies, ...(this.failed.length ? { failed: this.failed } : {}) };
    return new ChatacterError("SERVICE_UNAVAILABLE", this.failed.map((f) => f.message).join("; "), undefined, undefined, {
      user_message_id: this.userMessageId,
      failed: this.failed,
    });
  }
}
