import type { Outcome } from "../../api-error";
import type { Env } from "../../env";
import type { MemoryRecall } from "../../memory/prompt-memory";
import { memoryObjectName, memoryStub, type MemoryScope } from "../../memory/scope";
import { nextSummary } from "../../memory/summary";
import type { MacroNames } from "../../chat/macros";
import type { TurnResult } from "../../chat/turn";
import type { MemoryJob } from "../user-memory/memory-jobs";
import type { HistoryStore } from "./history-store";
import type { BranchMoves } from "./message-tree";
import { errorText, log } from "../../log";

type Exchange = Extract<MemoryJob, { kind: "exchange" }>;

/**
 * The session's side of memory: whose memory its turns use (its end user, bound by the first turn that
 * names one), what to recall for a turn, and what to tell the memory objects it wrote to when the
 * active branch moves or the history is cleared. Calls after a turn go out in order and in the
 * background: the reply never waits for them.
 */
export class SessionMemory {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly env: Env,
    private readonly store: HistoryStore,
  ) {}

  /** The end user of a turn: the session's, once a turn named one; a turn naming another is refused. */
  userFor(requested: string | undefined): Outcome<string | null> {
    const bound = this.store.getMeta("user_id");
    if (requested === undefined || requested === bound) return { ok: true, value: bound };
    if (bound !== null) {
      return { ok: false, code: "INVALID_REQUEST", message: "This session belongs to another end user (user_id); start a new session for this one" };
    }
    return { ok: true, value: requested };
  }

  /** Binds the session to its end user (when the turn that named it runs). */
  bindUser(userId: string | null): void {
    if (userId !== null && this.store.getMeta("user_id") === null) this.store.setMeta("user_id", userId);
  }

  scope(keyId: string, characterId: string, userId: string | null, sessionId: string): MemoryScope {
    return { keyId, characterId, userId, sessionId: userId === null ? sessionId : null };
  }

  /** What memory offers a turn; a memory object that fails costs the turn its memory, never the reply. */
  async recall(scope: MemoryScope, sessionId: string, query: string | undefined): Promise<MemoryRecall | undefined> {
    if (query === undefined) return undefined;
    try {
      return await memoryStub(this.env.USER_MEMORY, scope).recall({ sessionId, query });
    } catch (error) {
      log("error", "memory_recall_failed", { session_id: sessionId, error: errorText(error) });
      return { pinned: [], hits: [], degraded: "Memory could not be reached: the reply was made without it" };
    }
  }

  /** Hands a turn's exchange to memory (the reply has left): its messages, its facts, and a summary when one is due. */
  remember(scope: MemoryScope, turn: { sessionId: string; names: MacroNames }, result: TurnResult, recalled: MemoryRecall | undefined): void {
    const { reply } = result;
    const parent = result.user ?? (reply.parent_id ? this.store.get(reply.parent_id) : undefined);
    const user = parent?.role === "user" ? { id: parent.id, text: parent.content } : undefined;
    const exchange: Exchange = {
      kind: "exchange",
      sessionId: turn.sessionId,
      characterName: turn.names.char,
      ...(user ? { user } : {}),
      reply: { id: reply.id, text: reply.content },
      embedMessages: true,
    };
    const summary = nextSummary({
      sessionId: turn.sessionId,
      dropped: result.droppedHistory,
      current: recalled?.summary && { content: recalled.summary.content, anchorId: recalled.summary.anchorId },
      names: turn.names,
    });
    this.addScope(scope);
    this.send([scope], (stub) => stub.afterTurn(scope, exchange, summary));
  }

  /** Tells every memory object the session wrote to what left and joined the active branch. */
  branchMoved(moves: BranchMoves, reread: Exchange[]): void {
    if (moves.left.length === 0 && moves.joined.length === 0) return;
    this.send(this.scopes(), (stub) => stub.branchMoved({ ...moves, reread }));
  }

  /** The history was cleared: every memory object forgets what the session produced. */
  async forget(sessionId: string): Promise<void> {
    const scopes = this.scopes();
    this.store.setMeta("memory_scopes", "[]");
    await this.queue;
    await Promise.all(scopes.map((scope) => memoryStub(this.env.USER_MEMORY, scope).forgetSession(sessionId)));
  }

  /** Resolves once every call so far has reached its memory object. */
  settled(): Promise<void> {
    return this.queue;
  }

  private send(scopes: MemoryScope[], call: (stub: ReturnType<typeof memoryStub>) => Promise<void>): void {
    if (scopes.length === 0) return;
    this.queue = this.queue.then(() =>
      Promise.all(scopes.map((scope) => call(memoryStub(this.env.USER_MEMORY, scope)))).then(
        () => undefined,
        (error: unknown) => log("error", "memory_update_failed", { error: errorText(error) }),
      ),
    );
  }

  private scopes(): MemoryScope[] {
    const stored = this.store.getMeta("memory_scopes");
    return stored ? (JSON.parse(stored) as MemoryScope[]) : [];
  }

  private addScope(scope: MemoryScope): void {
    const scopes = this.scopes();
    if (scopes.some((known) => sameScope(known, scope))) return;
    this.store.setMeta("memory_scopes", JSON.stringify([...scopes, scope]));
  }
}

const sameScope = (a: MemoryScope, b: MemoryScope) => memoryObjectName(a) === memoryObjectName(b);
