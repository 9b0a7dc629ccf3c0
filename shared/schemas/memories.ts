import { z } from "zod";
import { CharacterId, PathId, SessionId, Timestamp } from "./common";

/**
 * Memory: CHARACTER-ENGINE.md §3. Kept per (API key, character, end user); without a user, per session.
 * Pinned facts come from the app, extracted facts and summaries from the LLM after turns, and message
 * memories are the conversation's own messages, kept for recall by similarity.
 */

/** The app's end user: opaque to us, at most 128 characters. */
export const UserId = z.string().min(1).max(128, "user_id must be at most 128 characters");

const MEMORY_CONTENT_MAX = 2000;
const MemoryContent = z.string().trim().min(1, "content must not be empty").max(MEMORY_CONTENT_MAX, `content must be at most ${MEMORY_CONTENT_MAX} characters`);

export const MemoryKind = z
  .enum(["pinned", "fact", "summary", "message"])
  .describe(
    "pinned: written by the app, always in the prompt; fact: extracted (or written unpinned); summary: a rolling summary of a session's older messages; message: a message kept for recall",
  );
export type MemoryKind = z.infer<typeof MemoryKind>;

export const Memory = z.object({
  id: z.string().describe("mem_..."),
  character_id: z.string(),
  user_id: z.string().nullable().describe("null: the memory of one session (no user_id was given)"),
  session_id: z.string().nullable().describe("The session it came from; null for what the app wrote"),
  kind: MemoryKind,
  content: z.string(),
  pinned: z.boolean(),
  source_message_ids: z.array(z.string()).describe("The messages it was derived from: when one leaves the active branch, it is withdrawn"),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Memory = z.infer<typeof Memory>;

/** A search hit: the fused score, and the two rankings it fuses (null: the item was not in that ranking). */
export const ScoredMemory = Memory.extend({
  score: z.number().describe("Reciprocal-rank fusion of the vector and the full-text rankings"),
  vector_score: z.number().nullable().describe("Cosine similarity of the embeddings"),
  text_score: z.number().nullable().describe("FTS5 BM25 (higher is better)"),
});

const Scope = {
  character_id: CharacterId,
  user_id: UserId.optional().describe("The end user; give it or session_id"),
  session_id: SessionId.optional().describe("For the memory of a session without a user"),
};
const oneScope = (v: { user_id?: string; session_id?: string }) => (v.user_id === undefined) !== (v.session_id === undefined);
const ONE_SCOPE = { message: "give exactly one of user_id and session_id", path: ["user_id"] };

export const MemoryListQuery = z
  .object({
    ...Scope,
    q: z.string().trim().min(1).max(1000).optional().describe("Searches (hybrid: embeddings and full text); the answer is ranked by score"),
    kind: MemoryKind.optional().describe("Only this kind; without q, message memories are listed only when asked for"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine(oneScope, ONE_SCOPE);
export type MemoryListQuery = z.infer<typeof MemoryListQuery>;

export const MemoryList = z.object({
  memories: z.array(ScoredMemory.partial({ score: true, vector_score: true, text_score: true })),
  total: z.number().int().describe("Without q: how many match; with q: how many hits were ranked"),
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean(),
  /** Set when the search ran on full text only (the embeddings provider failed or is not configured). */
  degraded: z.string().optional(),
});
export type MemoryList = z.infer<typeof MemoryList>;

export const CreateMemoryRequest = z
  .object({
    ...Scope,
    content: MemoryContent,
    pinned: z.boolean().default(true).describe("Pinned facts are always in the prompt; unpinned ones are recalled when relevant"),
  })
  .refine(oneScope, ONE_SCOPE);
export type CreateMemoryRequest = z.infer<typeof CreateMemoryRequest>;

export const UpdateMemoryRequest = z
  .object({ content: MemoryContent.optional(), pinned: z.boolean().optional() })
  .refine((v) => v.content !== undefined || v.pinned !== undefined, "give content or pinned");
export type UpdateMemoryRequest = z.infer<typeof UpdateMemoryRequest>;

export const MemoryRef = PathId.describe("A memory id (mem_...)");

/** What a turn's prompt held from memory: in the reply's metadata and the context preview. */
export const UsedMemory = z.object({
  id: z.string(),
  kind: MemoryKind,
  score: z.number().nullable().describe("The fused search score; null for pinned facts and summaries, which are always in"),
});
export type UsedMemory = z.infer<typeof UsedMemory>;

export const DeletedMemory = z.object({ id: z.string(), deleted: z.literal(true) });
export type DeletedMemory = z.infer<typeof DeletedMemory>;
