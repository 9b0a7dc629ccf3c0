import type { ErrorCode } from "../../shared/errors";
import type { BranchFrame, ErrorFrame, ResponseFrame, ServerFrame } from "../../shared/schemas/realtime";
import type { StoredMessage } from "../chat/turn";
import type { RateLimitResult } from "../rate-limit/types";

/** The server's frames, built in one place from the contract's types (shared/schemas/realtime.ts). */

export const errorFrame = (code: ErrorCode, message: string, extra: Partial<ErrorFrame> = {}): ErrorFrame => ({
  type: "error",
  code,
  message,
  ...extra,
});

/** A refused frame (or auth attempt): the socket stays open and may try again after the delay. */
export const rateLimitErrorFrame = (result: RateLimitResult, message = "Too many requests"): ErrorFrame =>
  errorFrame("RATE_LIMIT_EXCEEDED", message, { retry_after_seconds: result.retryAfterSeconds });

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
    ...siblingPlace(reply),
  };
}

const siblingPlace = (message: StoredMessage) => ({ sibling_index: message.sibling_index ?? 0, sibling_count: message.sibling_count ?? 1 });

/** The active branch changed: every socket of the session gets this. */
export const branchFrame = (sessionId: string, change: { activeLeafId: string | null; changedAtId: string }, clientMessageId?: string): BranchFrame => ({
  type: "branch",
  session_id: sessionId,
  active_leaf_id: change.activeLeafId,
  changed_at_id: change.changedAtId,
  ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
});

export function userMessageFrame(user: StoredMessage, replyId: string, clientMessageId?: string, speakers?: string[]): ServerFrame {
  return {
    type: "user_message",
    message_id: user.id,
    character_id: user.character_id,
    content: user.content,
    timestamp: user.timestamp,
    reply_id: replyId,
    ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
    ...(speakers ? { speakers } : {}),
    ...siblingPlace(user),
  };
}

export const encodeFrame = (frame: ServerFrame) => JSON.stringify(frame);
