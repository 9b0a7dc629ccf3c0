import { getDb } from "../../db/client";
import { takeSocketSessions } from "../../db/socket-sessions";
import type { Env } from "../../env";
import { errorText, log } from "../../log";
import { sessionStub } from "./session-stub";

/**
 * Closes a revoked key's open WebSockets with 4001, hibernated ones included, in every session the
 * key authenticated a socket in. Call it after the revocation is written: a socket that registers
 * later sees the revocation when it checks its key again.
 */
export async function closeKeySockets(env: Env, keyId: string): Promise<void> {
  const sessions = await takeSocketSessions(getDb(env.DB), keyId);
  const closed = await Promise.allSettled(sessions.map((sessionId) => sessionStub(env, sessionId).closeSocketsOf(keyId)));
  for (const result of closed) {
    if (result.status === "rejected") log("error", "revoked_socket_close_failed", { key_id: keyId, error: errorText(result.reason) });
  }
}
