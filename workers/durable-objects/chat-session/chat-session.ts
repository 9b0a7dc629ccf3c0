import { DurableObject } from "cloudflare:workers";
import type { HistoryQuery } from "../../../shared/schemas/chat";
import type { Outcome } from "../../api-error";
import { isAdmin, type Caller } from "../../auth/caller";
import type { PromptCharacter } from "../../chat/prompt";
import { countMessageTokens } from "../../chat/tokens";
import { runTurn, type MessageMedia, type StoredMessage, type TurnResult } from "../../chat/turn";
import type { Env } from "../../env";
import { llmContextTokens, selectProvider } from "../../llm/select-provider";
import { HistoryStore, UnknownCursorError, type HistoryPage } from "./history-store";
import { TurnQueue } from "./turn-queue";

export interface SessionTurnRequest {
  caller: Caller;
  character: PromptCharacter & { id: string };
  message: string;
  userName?: string;
  includeHistory: boolean;
}

type Denied = Extract<Outcome<never>, { ok: false }>;

/** One conversation: its history, its owner, and its turns, one at a time. */
export class ChatSession extends DurableObject<Env> {
  private readonly store: HistoryStore;
  private readonly turns = new TurnQueue();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new HistoryStore(ctx.storage.sql);
  }

  async sendMessage(request: SessionTurnRequest): Promise<Outcome<TurnResult>> {
    return this.turns.run(async () => {
      const denied = this.authorize(request.caller, { claim: true });
      if (denied) return denied;
      return runTurn(
        {
          store: this.store,
          llm: selectProvider(this.env),
          now: Date.now,
          contextTokens: llmContextTokens(this.env),
          countMessageTokens,
        },
        {
          character: request.character,
          message: request.message,
          userName: request.userName,
          includeHistory: request.includeHistory,
        },
      );
    });
  }

  async history(caller: Caller, query: HistoryQuery): Promise<Outcome<HistoryPage>> {
    const denied = this.authorize(caller, { claim: false });
    if (denied) return denied;
    try {
      return { ok: true, value: this.store.page(query) };
    } catch (error) {
      if (error instanceof UnknownCursorError) return { ok: false, code: "INVALID_REQUEST", message: error.message };
      throw error;
    }
  }

  /** One message, for callers that act on a message by id (ratings, media). */
  async getMessage(caller: Caller, messageId: string): Promise<Outcome<StoredMessage>> {
    const denied = this.authorize(caller, { claim: false });
    if (denied) return denied;
    const message = this.store.get(messageId);
    if (!message) return { ok: false, code: "NOT_FOUND", message: `No message ${messageId} in this session` };
    return { ok: true, value: message };
  }

  /** Called by the media pipeline when a job of a reply moves on; merges into the stored message. */
  async attachMedia(messageId: string, media: MessageMedia): Promise<boolean> {
    return this.store.setMedia(messageId, media);
  }

  /** Clearing waits for a running turn, so a reply never lands in a history that was just cleared. */
  async clear(caller: Caller): Promise<Outcome<{ cleared_at: string }>> {
    return this.turns.run(async () => {
      const denied = this.authorize(caller, { claim: false });
      if (denied) return denied;
      this.store.clear();
      return { ok: true, value: { cleared_at: new Date().toISOString() } };
    });
  }

  /** The first key to write to a session owns it; other keys get FORBIDDEN, admin keys get through. */
  private authorize(caller: Caller, { claim }: { claim: boolean }): Denied | undefined {
    const owner = this.store.getMeta("owner");
    if (owner === null) {
      if (!claim) return { ok: false, code: "NOT_FOUND", message: "No such session" };
      this.store.setMeta("owner", caller.keyId);
      this.store.setMeta("created_at", new Date().toISOString());
      return undefined;
    }
    if (owner !== caller.keyId && !isAdmin(caller)) {
      return { ok: false, code: "FORBIDDEN", message: "This session belongs to another API key" };
    }
    return undefined;
  }
}
