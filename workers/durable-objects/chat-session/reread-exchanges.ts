import type { MemoryJob } from "../user-memory/memory-jobs";
import type { HistoryStore } from "./history-store";

/** Exchanges read again at most when a branch comes back, and messages looked at to find them. */
const REREAD_LIMIT = 8;
const LOOK_AT = 32;

/**
 * The latest exchanges (a user message and the reply to it) among messages that came back to the
 * active branch: memory withdrew their facts when they left, and reads them again.
 */
export function rereadExchanges(store: HistoryStore, joined: string[]): Extract<MemoryJob, { kind: "exchange" }>[] {
  const exchanges: Extract<MemoryJob, { kind: "exchange" }>[] = [];
  const sessionId = store.getMeta("session_id") ?? "";
  for (const id of joined.slice(-LOOK_AT).reverse()) {
    const reply = store.row(id);
    if (reply?.role !== "assistant" || !reply.parent_id) continue;
    const user = store.row(reply.parent_id);
    if (user?.role !== "user") continue;
    exchanges.unshift({
      kind: "exchange",
      sessionId,
      // A label for the extraction prompt's reply line; the character's name would need a D1 read here.
      characterName: "Character",
      user: { id: user.id, text: user.content },
      reply: { id: reply.id, text: reply.content },
      embedMessages: false,
    });
    if (exchanges.length === REREAD_LIMIT) break;
  }
  return exchanges;
}
