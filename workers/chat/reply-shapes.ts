import type { SendMessageResponse } from "../../shared/schemas/chat";
import type { ResponseFrame } from "../../shared/schemas/realtime";
import type { StoredMessage } from "./turn";

/** The `response` frame of a stored reply: what WebSocket clients get, and what HTTP answers are made from. */
export function responseFrame(sessionId: string, reply: StoredMessage, clientMessageId?: string): ResponseFrame {
  return {
    type: "response",
    session_id: sessionId,
    character_id: reply.character_id,
    content: reply.content,
    timestamp: reply.timestamp,
    media: (reply.media as ResponseFrame["media"]) ?? null,
    message_id: reply.id,
    user_message_id: reply.parent_id!,
    metadata: reply.metadata!,
    cancelled: reply.metadata?.finish_reason === "cancelled",
    ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
  };
}

/** The reference's HTTP body for a reply. */
export function toHttpResponse(frame: ResponseFrame): SendMessageResponse {
  return {
    response: frame.content,
    character_id: frame.character_id,
    session_id: frame.session_id,
    message_id: frame.message_id,
    user_message_id: frame.user_message_id,
    timestamp: frame.timestamp,
    media: frame.media,
    metadata: frame.metadata,
  };
}
