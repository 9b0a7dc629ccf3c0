import { revokeKey } from "../db/api-keys";
import { getDb } from "../db/client";
import { takeSocketSessions } from "../db/socket-sessions";
import { sessionStub } from "../durable-objects/chat-session/session-stub";
import type { Env } from "../env";
import { errorText, log } from "../log";

/**
 * Revokes a key (the first revocation time stays) and closes its open WebSockets with 4001,
 * hibernated ones included. HTTP calls with the key fail from the next request on.
 * Answers the revocation time.
 */
export async function revokeKeyEverywhere(env: Env, keyId: string, revokedAt: string | null): Promise<string> {
  const db = getDb(env.DB);
  const at = revokedAt ?? (await revokeKey(db, keyId, new Date().toISOString()))!.revokedAt!;
  // After the revocation is written: a socket that registers later sees it when it checks the key again.
  const sessions = await takeSocketSessions(db, keyId);
  const closed = await Promise.allSettled(sessions.map((sessionId) => sessionStub(env, sessionId).closeSocketsOf(keyId)));
  for (const result of closed) {
    if (result.status === "rejected") log("error", "revoked_socket_close_failed", { key_id: keyId, error: errorText(result.reason) });
  }
  return at;
}
