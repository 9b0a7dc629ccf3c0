import { z } from "zod";
import { UserId } from "./memories";
import { ERROR_CODES } from "../errors";
import { CharacterId, MessageId, SessionId, Timestamp } from "./common";
import { Media, MessageText, ReplyMediaOption, ReplyMetadata, SiblingPlace } from "./chat";

/** Frames over this size are refused before parsing. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** A socket that has not authenticated this long after connecting is closed. */
export const AUTH_TIMEOUT_MS = 10_000;

/** WebSocket close codes: 4xxx says why the server closed. */
export const CLOSE_CODES = {
  UNAUTHORIZED: 4001,
  FORBIDDEN: 4003,
  AUTH_TIMEOUT: 4008,
} as const;

// ---- client -> server ----

/** Most resume entries one `auth` frame may carry: a client has few unanswered messages at a time. */
const MAX_RESUME_ENTRIES = 32;

/**
 * A turn a reconnecting client has not seen the end of: the reply it was reading (`message_id`,
 * with the last chunk it got), or only the message it sent (`client_message_id`) if it never saw
 * the reply's id.
 */
export const ResumeEntry = z
  .object({
    message_id: MessageId.optional(),
    client_message_id: z.string().min(1).max(128).optional(),
    last_seq: z.number().int().min(-1).default(-1),
  })
  .refine((entry) => entry.message_id !== undefined || entry.client_message_id !== undefined, "name message_id or client_message_id");

const AuthFrame = z.object({
  type: z.literal("auth"),
  token: z.string().min(1),
  /** Omitted: a new session is started and its id comes back in the `authenticated` frame. */
  session_id: SessionId.nullish(),
  /**
   * After a reconnect: what the server sends before `authenticated` and before any live frame, so
   * chunks arrive in order: a reply's chunks after `last_seq` (and its `response` if it finished),
   * or for a client_message_id its `user_message` frame first.
   */
  resume: z.array(ResumeEntry).max(MAX_RESUME_ENTRIES).optional(),
  /**
   * After a reconnect: the active leaf the client last saw. If the branch has moved since (another
   * tab swiped, say), a `branch` frame saying where comes before `authenticated`.
   */
  active_leaf_id: MessageId.nullish(),
});

const MessageFrame = z.object({
  type: z.literal("message"),
  /** Who answers ("assistant" by default); in a group session, the member named answers alone. */
  character_id: CharacterId.optional(),
  content: MessageText,
  metadata: z
    .object({ user_name: z.string().max(100).optional(), user_id: UserId.optional() })
    .catchall(z.unknown())
    .optional(),
  /** Chosen by the client; a message re-sent with the same id is not run twice. */
  client_message_id: z.string().min(1).max(128).optional(),
  /** Reply media for this message, as in POST /chat/message: false, or {voice, video}. */
  media: ReplyMediaOption.optional(),
});

/** Stops the reply being generated; what was generated is kept, marked as cut short. */
const CancelFrame = z.object({ type: z.literal("cancel") });

/**
 * Sends the reply `message_id` from chunk `last_seq + 1` on (or its final response). Live chunks may
 * already have reached the socket: a reconnecting client should put this in `auth.resume` instead.
 */
const ResumeFrame = z.object({
  type: z.literal("resume"),
  message_id: MessageId,
  last_seq: z.number().int().min(-1).default(-1),
});

// ---- the conversation tree (CHARACTER-ENGINE.md §1) ----

const ClientMessageId = z.string().min(1).max(128);

/** What every tree frame may carry: an id the client chooses (echoed, and never run twice), and no queueing. */
const treeFrameFields = {
  message_id: MessageId,
  /** Chosen by the client: echoed in the frames the change causes; a frame re-sent with it is not run twice. */
  client_message_id: ClientMessageId.optional(),
  /** false: refuse (CONFLICT) rather than wait while another reply is being generated. */
  queue: z.boolean().optional(),
};
const generationFields = {
  metadata: z
    .object({ user_name: z.string().max(100).optional(), user_id: UserId.optional() })
    .catchall(z.unknown())
    .optional(),
  media: ReplyMediaOption.optional(),
};

/** A new reply in place of `message_id` (a reply on the active branch), generated from the history above it. */
const RegenerateFrame = z.object({ type: z.literal("regenerate"), ...treeFrameFields, ...generationFields });
/** The edited text becomes a new sibling; an edited user message is answered unless `regenerate` is false. */
const EditFrame = z.object({ type: z.literal("edit"), ...treeFrameFields, ...generationFields, content: MessageText, regenerate: z.boolean().optional() });
/** The active leaf (a reply) goes on: a new sibling holds its text plus the continuation. */
const ContinueFrame = z.object({ type: z.literal("continue"), ...treeFrameFields, ...generationFields });
/** Makes `message_id` active; below it the branch follows each message's last selected child. */
const SelectFrame = z.object({ type: z.literal("select"), ...treeFrameFields });

export const ClientFrame = z.discriminatedUnion("type", [
  AuthFrame,
  MessageFrame,
  CancelFrame,
  ResumeFrame,
  RegenerateFrame,
  EditFrame,
  ContinueFrame,
  SelectFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server -> client ----

const AuthenticatedFrame = z.object({ type: z.literal("authenticated"), session_id: SessionId });

/** Every socket of the session sees each user message, whichever tab or transport sent it. */
const UserMessageFrame = z.object({
  type: z.literal("user_message"),
  message_id: MessageId,
  character_id: CharacterId,
  content: z.string(),
  timestamp: Timestamp,
  /** The id the reply will have: its `response_chunk` and `response` frames carry it as `message_id`. */
  reply_id: MessageId,
  client_message_id: z.string().optional(),
  ...SiblingPlace,
});

const TypingFrame = z.object({ type: z.literal("typing"), character_id: CharacterId, is_typing: z.boolean() });

export const ResponseChunkFrame = z.object({
  type: z.literal("response_chunk"),
  message_id: MessageId,
  character_id: CharacterId,
  /** 0, 1, 2, ... within one reply: a reconnecting client resumes after the last one it saw. */
  seq: z.number().int(),
  delta: z.string(),
});

export const ResponseFrame = z.object({
  type: z.literal("response"),
  session_id: SessionId,
  character_id: CharacterId,
  content: z.string(),
  timestamp: Timestamp,
  media: Media.nullable(),
  message_id: MessageId,
  user_message_id: MessageId,
  metadata: ReplyMetadata,
  /** true when a `cancel` cut the reply short. */
  cancelled: z.boolean(),
  /** Echoed when the message was sent with one. */
  client_message_id: z.string().optional(),
  ...SiblingPlace,
});

/**
 * The active branch changed (a regenerate, edit, continue, select or delete), sent to every socket of
 * the session. Messages above `changed_at_id` are as they were; from it down the branch is new (for a
 * delete that left no sibling, `changed_at_id` is the deleted message and the branch ends above it).
 */
export const BranchFrame = z.object({
  type: z.literal("branch"),
  session_id: SessionId,
  active_leaf_id: MessageId.nullable(),
  changed_at_id: MessageId,
  /** Echoed when the frame that caused the change carried one. */
  client_message_id: z.string().optional(),
});

/**
 * A piece of a reply's speech, voiced while the text still streams (CHARACTER-ENGINE.md §4): sent in
 * `seq` order, each a playable WAV. A chunk whose speech failed says so in `error` (no `audio_url`);
 * the others still come. The whole reply as one file follows in a `media` frame (`audio_url`, with
 * `audio_status` ready or failed): the end of the reply's voice.
 */
export const AudioChunkFrame = z.object({
  type: z.literal("audio_chunk"),
  message_id: MessageId,
  character_id: CharacterId,
  /** 0, 1, 2, ... within one reply, in the order the chunks are spoken. */
  seq: z.number().int().min(0),
  /** The words this chunk speaks. */
  text: z.string(),
  audio_url: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  /** Why this chunk has no audio. */
  error: z.string().optional(),
});

const MediaFrame = z.object({
  type: z.literal("media"),
  message_id: MessageId,
  media: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export type ResumeEntry = z.infer<typeof ResumeEntry>;

export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retry_after_seconds: z.number().optional(),
  /** The user message a failed turn belongs to, when the error is about a turn. */
  user_message_id: MessageId.optional(),
  /** In a group session, the speaker whose reply failed (the others' replies still come). */
  character_id: CharacterId.optional(),
  client_message_id: z.string().optional(),
});

export const ServerFrame = z.discriminatedUnion("type", [
  AuthenticatedFrame,
  UserMessageFrame,
  TypingFrame,
  ResponseChunkFrame,
  ResponseFrame,
  BranchFrame,
  AudioChunkFrame,
  MediaFrame,
  ErrorFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ResponseFrame = z.infer<typeof ResponseFrame>;
export type ResponseChunkFrame = z.infer<typeof ResponseChunkFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type BranchFrame = z.infer<typeof BranchFrame>;
export type AudioChunkFrame = z.infer<typeof AudioChunkFrame>;
