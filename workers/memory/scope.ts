/**
 * Whose memory: one memory object per (API key, character, end user), or per (key, character, session)
 * when a turn names no user. The object's name says which; memory ids start with the object's id, so a
 * route reaches a memory's object from its id alone, without an index.
 */
export interface MemoryScope {
  keyId: string;
  characterId: string;
  userId: string | null;
  /** The session whose memory this is, when there is no user. */
  sessionId: string | null;
}

export const memoryObjectName = (scope: MemoryScope): string =>
  JSON.stringify([scope.keyId, scope.characterId, scope.userId !== null ? `user:${scope.userId}` : `session:${scope.sessionId}`]);

/** A memory id is `mem_`, the object's 64 hex digits, then 12 base62 characters. */
const MEMORY_ID = /^mem_([0-9a-f]{64})[0-9A-Za-z]{12}$/;

export const objectHexOf = (memoryId: string): string | undefined => MEMORY_ID.exec(memoryId)?.[1];

/** The memory object of a scope. */
export function memoryStub(namespace: DurableObjectNamespace<import("../durable-objects/user-memory/user-memory").UserMemory>, scope: MemoryScope) {
  return namespace.get(namespace.idFromName(memoryObjectName(scope)));
}
