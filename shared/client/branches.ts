import type { z } from "zod";
import type {
  BranchResponse,
  DeleteMessageResponse,
  EditedMessageResponse,
  EditMessageRequest,
  ForkResponse,
  RegenerateRequest,
  SiblingsResponse,
} from "../schemas/branches";
import type { SendMessageResponse } from "../schemas/chat";
import type { ServerFrame } from "../schemas/realtime";
import { ChatacterError } from "./errors.js";
import { call, send, type Transport } from "./http.js";
import { readEvents } from "./sse.js";

/** The conversation tree over HTTP (CHARACTER-ENGINE.md §1): the calls behind ChatacterClient's tree methods. */

/** The active branch after a select: its leaf and length. */
export type BranchState = z.output<typeof BranchResponse>;
/** An edit that was only stored (a character's message, or `regenerate: false`): the new message and the branch. */
export type EditedMessage = z.output<typeof EditedMessageResponse>;
/** A message's siblings (its swipes, itself included) in creation order, and the one the branch goes through. */
export type Siblings = z.output<typeof SiblingsResponse>;
export type DeletedMessage = z.output<typeof DeleteMessageResponse>;
export type ForkedSession = z.output<typeof ForkResponse>;

/**
 * Options of a call that generates a reply (regenerate, continue): the user's name, reply media, and
 * `userId`, the end user whose memory the character keeps (sent as `context.user_id`).
 */
export type GenerateOptions = Omit<z.input<typeof RegenerateRequest>, "session_id" | "stream"> & { userId?: string };
/** Options of an edit: as `GenerateOptions`, and `regenerate: false` stores an edited user message without answering it. */
export type EditOptions = Omit<z.input<typeof EditMessageRequest>, "session_id" | "content" | "stream"> & { userId?: string };

/** Options as the API takes them: `userId` goes in as `context.user_id`. */
function withUserId<T extends { context?: object; userId?: string }>({ userId, ...rest }: T) {
  return userId === undefined ? rest : { ...rest, context: { ...rest.context, user_id: userId } };
}

/**
 * In a group turn, a speaker whose reply failed: the others still answer. (Any other error is thrown.)
 * The SSE error body does not name the speaker; it is the one whose turn it was in `user_message.speakers`.
 */
export type SpeakerErrorEvent = Extract<ServerFrame, { type: "error" }> & { character_id: string };
/**
 * What a streaming call yields: the turn's frames, then the same body the non-streaming call answers. In
 * a group turn, each speaker's frames in turn, each ending with its `response` (or a SpeakerErrorEvent).
 */
export type StreamEvent = Exclude<ServerFrame, { type: "response" | "error" }> | ({ type: "response" } & SendMessageResponse) | SpeakerErrorEvent;
/** What `streamEdit` yields: a turn's events, or, for an edit that gets no reply, the one `stored` event. */
export type EditStreamEvent = StreamEvent | ({ type: "stored" } & EditedMessage);

/** Whether an edit was only stored (no reply was generated). */
export const isStoredEdit = (result: SendMessageResponse | EditedMessage): result is EditedMessage => "message" in result;

const messagePath = (messageId: string, action = "") => `/api/v1/chat/messages/${encodeURIComponent(messageId)}${action && `/${action}`}`;
const sessionQuery = (sessionId: string) => `?session_id=${encodeURIComponent(sessionId)}`;

export const branchCalls = {
  regenerate: (t: Transport, sessionId: string, messageId: string, options: GenerateOptions = {}): Promise<SendMessageResponse> =>
    call(t, "POST", messagePath(messageId, "regenerate"), { ...withUserId(options), session_id: sessionId }),

  streamRegenerate: (t: Transport, sessionId: string, messageId: string, options: GenerateOptions = {}): AsyncGenerator<StreamEvent> =>
    streamTurn(t, "POST", messagePath(messageId, "regenerate"), { ...withUserId(options), session_id: sessionId, stream: true }),

  edit: (t: Transport, sessionId: string, messageId: string, content: string, options: EditOptions = {}): Promise<SendMessageResponse | EditedMessage> =>
    call(t, "PATCH", messagePath(messageId), { ...withUserId(options), session_id: sessionId, content }),

  streamEdit: (t: Transport, sessionId: string, messageId: string, content: string, options: EditOptions = {}): AsyncGenerator<EditStreamEvent> =>
    streamTurn<EditStreamEvent>(t, "PATCH", messagePath(messageId), { ...withUserId(options), session_id: sessionId, content, stream: true }, (body) => ({
      type: "stored",
      ...(body as EditedMessage),
    })),

  continue: (t: Transport, sessionId: string, messageId: string, options: GenerateOptions = {}): Promise<SendMessageResponse> =>
    call(t, "POST", messagePath(messageId, "continue"), { ...withUserId(options), session_id: sessionId }),

  streamContinue: (t: Transport, sessionId: string, messageId: string, options: GenerateOptions = {}): AsyncGenerator<StreamEvent> =>
    streamTurn(t, "POST", messagePath(messageId, "continue"), { ...withUserId(options), session_id: sessionId, stream: true }),

  select: (t: Transport, sessionId: string, messageId: string): Promise<BranchState> =>
    call(t, "POST", messagePath(messageId, "select"), { session_id: sessionId }),

  siblings: (t: Transport, sessionId: string, messageId: string): Promise<Siblings> =>
    call(t, "GET", `${messagePath(messageId, "siblings")}${sessionQuery(sessionId)}`),

  remove: (t: Transport, sessionId: string, messageId: string): Promise<DeletedMessage> =>
    call(t, "DELETE", `${messagePath(messageId)}${sessionQuery(sessionId)}`),

  fork: (t: Transport, sessionId: string, messageId: string): Promise<ForkedSession> =>
    call(t, "POST", `/api/v1/chat/sessions/${encodeURIComponent(sessionId)}/fork`, { message_id: messageId }),
};

/**
 * A turn's Server-Sent Events as typed events: each frame as it comes, the `response` event carrying the
 * non-streaming body, an `error` event thrown as ChatacterError. In a group turn (its `user_message`
 * names the speakers) a speaker's error is yielded, naming it, and the stream goes on with the next
 * speaker; if none answered, a SERVICE_UNAVAILABLE naming them all is thrown at the end, as HTTP answers
 * 503. A JSON answer (an edit that generated nothing) is handed to `onJson` and yielded as the one event.
 */
export async function* streamTurn<E = StreamEvent>(
  transport: Transport,
  method: string,
  path: string,
  body: unknown,
  onJson?: (body: unknown) => E,
): AsyncGenerator<E> {
  const response = await send(transport, method, path, body, { Accept: "text/event-stream" });
  if (onJson && !response.headers.get("Content-Type")?.includes("text/event-stream")) {
    yield onJson(await response.json());
    return;
  }
  // A group turn's speakers; each one's reply ends with its `response` or its `error`, one after another.
  let speakers: string[] | undefined;
  let ended = 0;
  let answered = false;
  const failed: SpeakerErrorEvent[] = [];
  for await (const { event, data } of readEvents(response.body!)) {
    const parsed = JSON.parse(data);
    if (event === "error") {
      const e = parsed.error;
      const speaker = speakers?.[ended++];
      if (speaker === undefined) throw new ChatacterError(e.code, e.message, response.status, e.request_id, e.details, e.retry_after_seconds);
      const userMessageId = (e.details as { user_message_id?: string } | undefined)?.user_message_id;
      const failure: SpeakerErrorEvent = {
        type: "error",
        code: e.code,
        message: e.message,
        character_id: speaker,
        ...(userMessageId ? { user_message_id: userMessageId } : {}),
      };
      failed.push(failure);
      yield failure as E;
      continue;
    }
    if (event === "user_message" && parsed.speakers) speakers = parsed.speakers;
    if (event === "response") {
      ended++;
      answered = true;
    }
    yield (event === "response" ? { type: "response", ...parsed } : parsed) as E;
  }
  // No speaker answered: the turn failed, as HTTP says with a 503.
  if (failed.length && !answered) {
    const details = { user_message_id: failed[0]!.user_message_id, failed: failed.map(({ character_id, code, message }) => ({ character_id, code, message })) };
    throw new ChatacterError("SERVICE_UNAVAILABLE", failed.map((f) => f.message).join("; "), response.status, undefined, details);
  }
}
