import { expect } from "vitest";
import { env } from "./env";

const lastMessageAt = (sessionId: string, characterId: string) =>
  env.DB.prepare("SELECT last_message_at AS at FROM conversations WHERE session_id = ? AND character_id = ?")
    .bind(sessionId, characterId)
    .first<{ at: string }>()
    .then((row) => row?.at);

/**
 * Statistics are written just after a reply has gone (off its path): waits, reading D1 directly so no
 * API call is counted, until the turn answered at `at` is in the conversations table.
 */
export async function statsWritten(sessionId: string, at: string, characterId = "assistant"): Promise<void> {
  await expect.poll(async () => ((await lastMessageAt(sessionId, characterId)) ?? "") >= at, { timeout: 5000, interval: 10 }).toBe(true);
}
