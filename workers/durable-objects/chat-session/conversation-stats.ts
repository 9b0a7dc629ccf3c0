import { getDb } from "../../db/client";
import { recordConversationTurns, type ConversationTurn } from "../../db/conversations";
import type { Env } from "../../env";
import { errorText, log } from "../../log";
import { sleep } from "../../../shared/sleep";

const ATTEMPTS = 3;
const RETRY_BASE_MS = 200;

/**
 * The statistics rows of a session's turns (conversations: total_conversations, active_sessions,
 * conversations_today), written after the reply has gone, so they never delay or fail a turn. Turns
 * that finish while a write is out leave together in the next one, one row per character.
 */
export class ConversationStats {
  private readonly pending = new Map<string, ConversationTurn>();
  private flushing?: Promise<void>;

  constructor(
    private readonly env: Env,
    private readonly ctx: DurableObjectState,
  ) {}

  record(turn: ConversationTurn): void {
    const earlier = this.pending.get(turn.characterId);
    this.pending.set(turn.characterId, earlier ? { ...turn, startedAt: earlier.startedAt } : turn);
    if (!this.flushing) {
      this.flushing = this.flush().finally(() => (this.flushing = undefined));
      this.ctx.waitUntil(this.flushing);
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      for (let attempt = 1; ; attempt++) {
        try {
          await recordConversationTurns(getDb(this.env.DB), batch);
          break;
        } catch (error) {
          if (attempt === ATTEMPTS) {
            log("error", "conversation_stats_failed", { session_id: batch[0]!.sessionId, turns: batch.length, error: errorText(error) });
            break;
          }
          await sleep(RETRY_BASE_MS * attempt);
        }
      }
    }
  }
}
