import type { SendMessageResponse, SpeakerFailure, TurnResponse } from "../../shared/schemas/chat";
import type { z } from "zod";
import type { ResponseFrame, ServerFrame } from "../../shared/schemas/realtime";
import { errorBody } from "../api-error";

/** The reference's HTTP body for a reply. */
function toHttpResponse(frame: ResponseFrame): SendMessageResponse {
  return {
    response: frame.content,
    character_id: frame.character_id,
    session_id: frame.session_id,
    message_id: frame.message_id,
    user_message_id: frame.user_message_id,
    timestamp: frame.timestamp,
    media: frame.media,
    metadata: frame.metadata,
    sibling_index: frame.sibling_index,
    sibling_count: frame.sibling_count,
  };
}

/** A turn's answer: the first reply; in a group, every reply in the order spoken and the speakers that failed. */
export type TurnAnswer = ResponseFrame & { replies?: ResponseFrame[]; failed?: z.infer<typeof SpeakerFailure>[] };

/** chat/message's body: the first reply's, with a group's `replies` and `failed`. */
export function toTurnResponse(answer: TurnAnswer): TurnResponse {
  return {
    ...toHttpResponse(answer),
    ...(answer.replies ? { replies: answer.replies.map(toHttpResponse) } : {}),
    ...(answer.failed ? { failed: answer.failed } : {}),
  };
}

/** One Server-Sent Event per frame; the last carries the same body as the non-streaming answer, or its error. */
export function sseEvent(frame: ServerFrame, requestId: string): string {
  let data: unknown = frame;
  if (frame.type === "response") data = toHttpResponse(frame);
  if (frame.type === "error") {
    // In a group, the speaker whose reply failed (the stream goes on with the next one).
    const ids = {
      ...(frame.user_message_id ? { user_message_id: frame.user_message_id } : {}),
      ...(frame.character_id ? { character_id: frame.character_id } : {}),
    };
    const details = Object.keys(ids).length ? ids : undefined;
    data = errorBody(frame.code, frame.message, requestId, details, frame.retry_after_seconds);
  }
  return `event: ${frame.type}\ndata: ${JSON.stringify(data)}\n\n`;
}
