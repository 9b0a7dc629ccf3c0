import type { Caller } from "../../auth/caller";
import type { Env } from "../../env";
import { memoryStub, objectHexOf } from "../../memory/scope";

/** The memory object of the caller's own memory of (character, user), or of a session without a user. */
export const scopedMemory = (env: Env, caller: Caller, scope: { character_id: string; user_id?: string; session_id?: string }) =>
  memoryStub(env.USER_MEMORY, { keyId: caller.keyId, characterId: scope.character_id, userId: scope.user_id ?? null, sessionId: scope.user_id === undefined ? (scope.session_id ?? null) : null });

/** The memory object a memory id names; undefined when the id could not be one of ours (answered 404, like any unknown id). */
export function memoryObjectOf(env: Env, memoryId: string) {
  const hex = objectHexOf(memoryId);
  if (!hex) return undefined;
  try {
    return env.USER_MEMORY.get(env.USER_MEMORY.idFromString(hex));
  } catch {
    // 64 hex digits that this namespace never made.
    return undefined;
  }
}
