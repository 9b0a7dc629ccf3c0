import { z } from "zod";
import { CharacterId, MessageId, SessionId, Timestamp } from "./common";
import { UsedMemory, UserId } from "./memories";

/** Messages are capped in UTF-8 bytes, the unit that bounds storage and LLM cost. */
const MAX_MESSAGE_BYTES = 16 * 1024;
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

export const MessageText = z
  .string()
  .refine((s) => s.trim().length > 0, "message must not be empty")
  .refine((s) => utf8Bytes(s) <= MAX_MESSAGE_BYTES, `message must be at most ${MAX_MESSAGE_BYTES} bytes`);

export const ChatContext = z
  .object({
    user_name: z.string().max(100).optional(),
    /** The app's end user: memory is kept per (key, character, user_id); without it, per session. */
    user_id: UserId.optional(),
    /** false sends the message to the LLM without the earlier turns. */
    conversation_history: z.boolean().optional(),
  })
  .catchall(z.unknown());
export type ChatContext = z.infer<typeof ChatContext>;

/** Reply media for one message: false turns speech and video off; an object turns each off. */
export const ReplyMediaOption = z.union([z.boolean(), z.object({ voice: z.boolean().optional(), video: z.boolean().optional() }).strict()]);

export const SendMessageRequest = z.object({
  message: MessageText,
  /** Who answers: "assistant" by default; in a group session, the member named answers alone (else the strategy picks). */
  character_id: CharacterId.optional(),
  // The reference's Python SDK sends `"session_id": null` for a new session.
  session_id: SessionId.nullish(),
  context: ChatContext.optional(),
  stream: z.boolean().optional(),
  /** Reply media for this message: false turns speech and video off; an object turns each off. */
  media: ReplyMediaOption.optional(),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

/**
 * A reply's media: the URLs come with the reply (status "pending") and resolve when the jobs finish;
 * history adds audio_status/video_status ("ready", "failed"), durations and thumbnail_url as they do.
 */
export const Media = z
  .object({
    audio_url: z.string().optional(),
    video_url: z.string().optional(),
    status: z.string().optional(),
    audio_request_id: z.string().optional(),
    video_request_id: z.string().optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const ReplyMetadata = z.object({
  tokens_used: z.number().int().nullable(),
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  response_time_ms: z.number().int(),
  /** exp(mean token log-probability) when the provider returns log-probabilities, else null. */
  confidence: z.number().min(0).max(1).nullable(),
  model: z.string(),
  provider: z.string(),
  finish_reason: z.string().nullable(),
  /** The world-info entries that went into the reply's prompt, as `<lorebook id>:<entry id>`. */
  lore_entries: z.array(z.string()).optional(),
  /** What memory put in the reply's prompt: pinned facts, the summary, and the recalled items with their scores. */
  memories: z.array(UsedMemory).optional(),
});
export type ReplyMetadata = z.infer<typeof ReplyMetadata>;

/** Every message says where it stands among the messages that share its parent (its "swipes"). */
export const SiblingPlace = {
  sibling_index: z.number().int().min(0).describe("0-based place among the messages that share its parent, in creation order"),
  sibling_count: z.number().int().min(1).describe("How many messages share its parent (1: no alternatives)"),
};

export const SendMessageResponse = z.object({
  response: z.string(),
  character_id: CharacterId,
  session_id: SessionId,
  message_id: MessageId,
  user_message_id: MessageId,
  timestamp: Timestamp,
  media: Media.nullable(),
  metadata: ReplyMetadata,
  ...SiblingPlace,
});
export type SendMessageResponse = z.infer<typeof SendMessageResponse>;

/** A group speaker whose reply failed: the others' replies are kept. */
export const SpeakerFailure = z.object({ character_id: CharacterId, code: z.string(), message: z.string() });

/** A turn's answer: the first reply's body; in a group session, with every reply, in the order spoken. */
export const TurnResponse = SendMessageResponse.extend({
  replies: z.array(SendMessageResponse).optional().describe("Group sessions: every reply of the turn, the first included"),
  failed: z.array(SpeakerFailure).optional().describe("Group sessions: the speakers whose reply failed"),
});
export type TurnResponse = z.infer<typeof TurnResponse>;

export const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  /** Cursors: only messages after / before this message id. */
  after: MessageId.optional(),
  before: MessageId.optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryMessage = z.object({
  id: MessageId,
  parent_id: MessageId.nullable(),
  timestamp: Timestamp,
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  character_id: CharacterId,
  media: Media.optional(),
  metadata: ReplyMetadata.optional(),
  ...SiblingPlace,
});
export type HistoryMessage = z.infer<typeof HistoryMessage>;

export const HistoryResponse = z.object({
  session_id: SessionId,
  messages: z.array(HistoryMessage),
  total_count: z.number().int(),
  has_more: z.boolean(),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

export const ClearHistoryResponse = z.object({
  message: z.string(),
  session_id: SessionId,
  cleared_at: Timestamp,
});
