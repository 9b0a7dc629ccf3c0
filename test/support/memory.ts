import { ADMIN_KEY_ID } from "../../workers/auth/caller";
import { memoryObjectName } from "../../workers/memory/scope";
import { api } from "./api";
import { env } from "./env";

export const MEMORIES = "/api/v1/memories";

export const listMemories = (query: Record<string, string>, key?: string) => api("GET", `${MEMORIES}?${new URLSearchParams(query)}`, { key });
export const addMemory = (body: Record<string, unknown>, key?: string) => api("POST", MEMORIES, { body, key });

/** The memory object of a user (the admin key's unless told), as the Worker names it. */
export function memoryObject(characterId: string, userId: string, keyId = ADMIN_KEY_ID) {
  return env.USER_MEMORY.get(env.USER_MEMORY.idFromName(memoryObjectName({ keyId, characterId, userId, sessionId: null })));
}

/**
 * Waits, at most `timeoutMs`, until the background work after a reply is done: the reply is kept as a
 * message memory (the first thing its job does) and no job is left.
 */
export async function settledAfter(characterId: string, userId: string, replyId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await listMemories({ character_id: characterId, user_id: userId, kind: "message", limit: "200" });
    const kept = listed.json.memories.some((m: { source_message_ids: string[] }) => m.source_message_ids.includes(replyId));
    if (kept && (await memoryObject(characterId, userId).pendingJobs()) === 0) return;
    if (Date.now() > deadline) throw new Error(`memory work after ${replyId} did not settle within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The facts (pinned and extracted) of a user, oldest first. */
export async function factsOf(characterId: string, userId: string, key?: string): Promise<string[]> {
  const listed = await listMemories({ character_id: characterId, user_id: userId, limit: "200" }, key);
  return listed.json.memories
    .filter((m: { kind: string }) => m.kind === "fact" || m.kind === "pinned")
    .map((m: { content: string }) => m.content)
    .reverse();
}
