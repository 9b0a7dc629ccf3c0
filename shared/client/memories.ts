import type { z } from "zod";
import type {
  CreateMemoryRequest,
  DeletedMemory as DeletedMemoryBody,
  Memory as MemoryBody,
  MemoryKind as MemoryKindBody,
  MemoryList as MemoryListBody,
  ScoredMemory as ScoredMemoryBody,
  UpdateMemoryRequest,
  UsedMemory as UsedMemoryBody,
} from "../schemas/memories";
import { call, type Transport } from "./http.js";

/** Memory (CHARACTER-ENGINE.md §3): what a character remembers of an end user, or of one session. */

/** pinned (the app's, always in the prompt), fact (extracted), summary, message (kept for recall). */
export type MemoryKind = z.output<typeof MemoryKindBody>;
/** One memory: its kind, text, whether it is pinned, and the messages it came from. */
export type Memory = z.output<typeof MemoryBody>;
/** A search hit: the memory with its fused score and the vector and full-text scores it fuses. */
export type ScoredMemory = z.output<typeof ScoredMemoryBody>;
/** A page of memories; with `q`, ranked by score. `degraded` says the search ran on full text only. */
export type MemoryList = z.output<typeof MemoryListBody>;
/** A memory as listed: scores are there when the list is a search. */
export type ListedMemory = MemoryList["memories"][number];
export type DeletedMemory = z.output<typeof DeletedMemoryBody>;
/** A memory a turn's prompt held (a reply's `metadata.memories`): its id, kind and search score (null: always in). */
export type UsedMemory = z.output<typeof UsedMemoryBody>;

/**
 * Whose memory: an end user's with a character (the `user_id` sent with turns), or, for turns sent
 * without one, the session's own.
 */
export type MemoryScope = { characterId: string; userId: string; sessionId?: undefined } | { characterId: string; sessionId: string; userId?: undefined };

/** What `list` takes: a scope, and optionally one kind and a page. Message memories are listed only with `kind: "message"`. */
export type MemoryListOptions = MemoryScope & { kind?: MemoryKind; limit?: number; offset?: number };
/** What `search` takes: `list`'s options and the text to look for. */
export type MemorySearchOptions = MemoryListOptions & { q: string };
/** A memory written by the app; `pinned` defaults to true (always in the prompt), false lets it be recalled when relevant. */
export type NewMemory = MemoryScope & Pick<z.input<typeof CreateMemoryRequest>, "content" | "pinned">;
/** New text, a new pinned state, or both. */
export type MemoryChanges = z.input<typeof UpdateMemoryRequest>;

const MEMORIES = "/api/v1/memories";
const memoryPath = (id: string) => `${MEMORIES}/${encodeURIComponent(id)}`;

/** The scope as the API names it. Both ids are passed on when both are given, so the API can refuse that. */
const scopeFields = ({ characterId, userId, sessionId }: MemoryScope) => ({
  character_id: characterId,
  ...(userId === undefined ? {} : { user_id: userId }),
  ...(sessionId === undefined ? {} : { session_id: sessionId }),
});

function listQuery({ kind, limit, offset, q, ...scope }: MemoryListOptions & { q?: string }): string {
  const fields: Record<string, string | number | undefined> = { ...scopeFields(scope as MemoryScope), q, kind, limit, offset };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) params.set(name, String(value));
  return `?${params}`;
}

/**
 * `client.memories`: list, search, write, change and delete what a character remembers of an end user.
 * Needs the chat scope; a key sees only its own memories (another key's id is NOT_FOUND), admin sees all.
 * Facts said in a conversation are extracted in the background after the reply, so they show up a moment later.
 *
 * @example
 * await client.memories.create({ characterId: "seraphina", userId: "user-42", content: "Sam is allergic to cats." });
 * await client.sendMessage("Hi!", { characterId: "seraphina", userId: "user-42" }); // the fact is in the prompt
 */
export class Memories {
  constructor(private readonly transport: Transport) {}

  /**
   * A page of memories. Message memories are listed only when `kind` is "message".
   *
   * @example
   * const { memories, total } = await client.memories.list({ characterId: "seraphina", userId: "user-42", kind: "fact" });
   */
  list(options: MemoryListOptions): Promise<MemoryList> {
    return call(this.transport, "GET", `${MEMORIES}${listQuery(options)}`);
  }

  /**
   * Memories related to `q`, best first (hybrid: embeddings and full text), each with its `score`.
   *
   * @example
   * const { memories } = await client.memories.search({ characterId: "seraphina", userId: "user-42", q: "pets" });
   * for (const hit of memories) console.log(hit.score?.toFixed(3), hit.content);
   */
  search(options: MemorySearchOptions): Promise<MemoryList> {
    return call(this.transport, "GET", `${MEMORIES}${listQuery(options)}`);
  }

  /**
   * Writes a memory; pinned unless `pinned: false`.
   *
   * @example
   * const memory = await client.memories.create({ characterId: "seraphina", userId: "user-42", content: "Sam's cat is called Miso." });
   */
  create({ content, pinned, ...scope }: NewMemory): Promise<Memory> {
    return call(this.transport, "POST", MEMORIES, { ...scopeFields(scope as MemoryScope), content, ...(pinned === undefined ? {} : { pinned }) });
  }

  /**
   * Changes a memory's text or pinned state.
   *
   * @example
   * await client.memories.update(memory.id, { pinned: false }); // recalled when relevant, no longer always in
   */
  update(id: string, changes: MemoryChanges): Promise<Memory> {
    return call(this.transport, "PATCH", memoryPath(id), changes);
  }

  /**
   * Deletes a memory; the character no longer knows it.
   *
   * @example
   * await client.memories.remove(memory.id); // { id, deleted: true }
   */
  remove(id: string): Promise<DeletedMemory> {
    return call(this.transport, "DELETE", memoryPath(id));
  }
}
