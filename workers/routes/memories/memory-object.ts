import type { Caller } from "../../auth/caller";
import type { Env } from "../../env";
import { memoryStub, objectHexOf, type MemoryScope } from "../../memory/scope";

type ScopeFields = { character_id: string; user_id?: string; session_id?: string };

/** The caller's own memory of (character, user), or of a session without a user. */
export const scopeOf = (caller: Caller, fields: ScopeFields): MemoryScope => ({
  keyId: caller.keyId,
  characterId: fields.character_id,
  userId: fields.user_id ?? null,
  sessionId: fields.user_id === undefined ? (fields.session_id ?? null) : null,
});

export const scopedMemory = (env: Env, caller: Caller, fields: ScopeFields) => memoryStub(env.USER_MEMORY, scopeOf(caller, fields));

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
