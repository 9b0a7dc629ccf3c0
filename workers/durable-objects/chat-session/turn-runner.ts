import type { ErrorFrame, ResponseChunkFrame, ResponseFrame, ServerFrame } from "../../../shared/schemas/realtime";
import type { Outcome } from "../../api-error";
import { randomId } from "../../../shared/crypto";
import type { Caller } from "../../auth/caller";
import { branchFrame, errorFrame, responseFrame, userMessageFrame } from "../../realtime/frames";
import { countMessageTokens } from "../../chat/tokens";
import { runTurn, toTurnCharacter, type TurnLore } from "../../chat/turn";
import { memoryQuery, type TurnAction } from "../../chat/turn-plan";
import { macroNames } from "../../chat/prompt";
import type { SessionMemory } from "./session-memory";
import type { CharacterRow } from "../../db/schema";
import type { Env } from "../../env";
import { config } from "../../config";
import { selectLlmProvider } from "../../llm/select-provider";
import type { MediaOptions } from "../../media/reply-voice";
import type { ConversationStats } from "./conversation-stats";
import type { MessageTree } from "./message-tree";
import type { SessionVoices } from "./session-voices";
import { speakersOf, type GroupTurn } from "./group-turn";
import type { TurnAnswer } from "../../chat/http-reply";
import { TurnQueue } from "./turn-queue";
import { errorText, log } from "../../log";

export interface TurnRequest {
  sessionId: string;
  caller: Caller;
  character: CharacterRow;
  action: TurnAction;
  /** The world info and notes of this turn (the session's books, prepared). */
  lore?: TurnLore;
  userName?: string;
  includeHistory: boolean;
  clientMessageId?: string;
  media?: MediaOptions;
  /** The HTTP request's id, for the logs. */
  requestId?: string;
  /** The end user whose memory the turn uses (null: the session's own memory). */
  userId: string | null;
  /** A group session's message or `next`: the speakers are picked when the turn's time comes. */
  group?: GroupTurn;
  /** A group session's members: the prompt names the others and each line's speaker. */
  participants?: { id: string; name: string }[];
  /** A group turn's speakers, in order: its `user_message` frame announces them. */
  speakers?: string[];
}

/** The reply being generated (or the last one), kept so a reconnecting client can pick it up. */
interface LiveReply {
  userMessageId?: string;
  replyId: string;
  clientMessageId?: string;
  chunks: ResponseChunkFrame[];
  final?: ResponseFrame | ErrorFrame;
  abort: AbortController;
}

export type Emit = (frame: ServerFrame) => void;
export type Denied = Extract<Outcome<never>, { ok: false }>;

/**
 * Runs a session's turns one at a time, for every transport: each turn's frames go to all the
 * session's sockets (`broadcast`) and to the caller that asked for it (`requester`, e.g. an SSE stream).
 */
export class TurnRunner {
  private readonly queue = new TurnQueue();
  private live?: LiveReply;
  private readonly pendingClientIds = new Set<string>();

  constructor(
    private readonly env: Env,
    private readonly tree: MessageTree,
    private readonly side: {
      stats: ConversationStats;
      memory: SessionMemory;
      /** The key that owns the session: memory is kept under it, whoever (an admin) sends the turn. */
      ownerKey: () => string | null;
      broadcast: Emit;
      voices: SessionVoices;
      /** Called after every turn with what left and joined the active branch. */
      afterMoves: () => void;
    },
  ) {}

  /** Queues a turn. `authorize` runs when the turn's time comes, so ownership claims happen in order. */
  run(request: TurnRequest, authorize: () => Denied | undefined, requester?: Emit, onDenied?: (frame: ErrorFrame) => void): Promise<Outcome<TurnAnswer>> {
    if (request.clientMessageId) this.pendingClientIds.add(request.clientMessageId);
    return this.queue
      .run(async () => {
        const denied = authorize();
        if (denied) {
          onDenied?.(errorFrame(denied.code, denied.message));
          return denied;
        }
        return request.group ? this.executeGroup(request, request.group, requester, onDenied) : this.execute(request, requester, onDenied);
      })
      .finally(() => request.clientMessageId && this.pendingClientIds.delete(request.clientMessageId));
  }

  /** Runs a task between turns (e.g. clearing the history), never during one. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task);
  }

  /** Whether a turn or task is running or waiting: a frame that asked for no queueing is refused then. */
  get busy(): boolean {
    return this.queue.busy;
  }

  isPending(clientMessageId: string): boolean {
    return this.pendingClientIds.has(clientMessageId);
  }

  /** Resolves once the media jobs of every reply so far are in D1 (or failed to get there). */
  async mediaStored(): Promise<void> {
    await this.side.voices.stored();
  }

  /** Forgets the last reply (the history was cleared): nothing of it can be resumed any more. */
  forget(): void {
    this.live = undefined;
  }

  /** Forgets the last reply if it was deleted. */
  forgetReplies(ids: string[]): void {
    if (this.live && ids.includes(this.live.replyId)) this.live = undefined;
  }

  /**
   * Cancels the reply being generated, and stops the voices still speaking (their chunks not yet
   * voiced are canceled at the provider). False when there was neither.
   */
  cancel(): boolean {
    const generating = !!this.live && !this.live.final;
    if (generating) this.live!.abort.abort();
    const speaking = this.side.voices.interrupt();
    return generating || speaking;
  }

  /** The `audio_chunk` frames a reply has sent so far: a reconnecting client catches up on its voice too. */
  voiceSent(replyId: string): ServerFrame[] {
    return this.side.voices.sent(replyId);
  }

  /** Frames of reply `replyId` after chunk `lastSeq`, if it is the live (or last) reply; else undefined. */
  replay(replyId: string, lastSeq: number): ServerFrame[] | undefined {
    const live = this.live;
    if (!live || live.replyId !== replyId) return undefined;
    return [...live.chunks.filter((c) => c.seq > lastSeq), ...(live.final ? [live.final] : [])];
  }

  /** The reply still being generated for the user message with this client id, if it is the current one. */
  streamingReplyFor(clientMessageId: string): { replyId: string; userMessageId?: string } | undefined {
    const live = this.live;
    return live?.clientMessageId === clientMessageId && !live.final ? { replyId: live.replyId, userMessageId: live.userMessageId } : undefined;
  }

  /**
   * A group turn: its speakers answer one after another, each reply stored as it completes, so one
   * speaker's failure loses no other's (its error frame names it). A `cancel` ends the turn.
   */
  private async executeGroup(request: TurnRequest, group: GroupTurn, requester?: Emit, onRefused?: (frame: ErrorFrame) => void): Promise<Outcome<TurnAnswer>> {
    const picked = speakersOf(this.tree, request.sessionId, group, request.action);
    // `next` makes one character speak.
    const speakers = request.action.kind === "speak" ? picked.slice(0, 1) : picked;
    if (speakers.length === 0) {
      const denied = {
        ok: false as const,
        code: "INVALID_REQUEST" as const,
        message: "This group's strategy is manual: name the character who answers (character_id)",
      };
      onRefused?.(errorFrame(denied.code, denied.message));
      requester?.(errorFrame(denied.code, denied.message));
      return denied;
    }
    // A user's turn stops the voices still speaking; a `next` (an app's auto mode) lets them finish.
    if (request.action.kind !== "speak") this.side.voices.interrupt();
    const participants = group.members.map((member) => ({ id: member.id, name: member.name }));
    const replies: ResponseFrame[] = [];
    const failed: { character_id: string; code: string; message: string }[] = [];
    for (const [i, id] of speakers.entries()) {
      const character = group.members.find((member) => member.id === id)!;
      const turn: TurnRequest = {
        ...request,
        group: undefined,
        participants,
        character,
        lore: await group.loreFor(character),
        action: i === 0 ? request.action : { kind: "speak" },
        clientMessageId: i === 0 ? request.clientMessageId : undefined,
        speakers,
      };
      const outcome = await this.execute(turn, requester, onRefused, { keepVoice: true });
      if (outcome.ok) {
        replies.push(outcome.value);
        if (outcome.value.cancelled) break;
        continue;
      }
      // Refused before anything was stored: no one answers.
      if (i === 0 && request.action.kind === "message" && !outcome.details) return outcome;
      failed.push({ character_id: id, code: outcome.code, message: outcome.message });
    }
    if (replies.length === 0) return { ok: false, code: "SERVICE_UNAVAILABLE", message: failed.map((f) => f.message).join("; ") };
    return { ok: true, value: { ...replies[0]!, replies, ...(failed.length ? { failed } : {}) } };
  }

  /** Every turn ends with a `response` or an `error` frame, whatever fails on the way. */
  private async execute(
    request: TurnRequest,
    requester?: Emit,
    onRefused?: (frame: ErrorFrame) => void,
    options: { keepVoice?: boolean } = {},
  ): Promise<Outcome<ResponseFrame>> {
    const emit: Emit = (frame) => {
      this.side.broadcast(frame);
      requester?.(frame);
    };
    const live: LiveReply = { replyId: randomId("msg_"), clientMessageId: request.clientMessageId, chunks: [], abort: new AbortController() };
    this.live = live;
    try {
      return await this.generate(request, live, emit, requester, options, (frame) => {
        requester?.(frame);
        onRefused?.(frame);
      });
    } catch (error) {
      logError("turn_crashed", request, error);
      const outcome = { ok: false as const, code: "INTERNAL_ERROR" as const, message: "Internal server error" };
      if (!live.final) {
        live.final = errorFrame(outcome.code, outcome.message, {
          ...turnIds(live, request),
          ...(request.participants ? { character_id: request.character.id } : {}),
        });
        emit(live.final);
      }
      return outcome;
    }
  }

  private async generate(
    request: TurnRequest,
    live: LiveReply,
    emit: Emit,
    requester: Emit | undefined,
    options: { keepVoice?: boolean },
    refuse: (frame: ErrorFrame) => void,
  ): Promise<Outcome<ResponseFrame>> {
    const { character } = request;
    if (!options.keepVoice && request.action.kind !== "speak") this.side.voices.interrupt();
    const voice = this.side.voices.start(request, live.replyId, requester);

    const memoryScope = this.side.memory.scope(this.side.ownerKey() ?? request.caller.keyId, character.id, request.userId, request.sessionId);
    const memoryOn = config(this.env).memoryEnabled;
    const recalled = memoryOn ? await this.side.memory.recall(memoryScope, request.sessionId, memoryQuery(this.tree, request.action)) : undefined;
    this.side.memory.bindUser(request.userId);

    let typing = false;
    const outcome = await runTurn(
      { store: this.tree, llm: selectLlmProvider(this.env), now: Date.now, contextTokens: config(this.env).llm.contextTokens, countMessageTokens },
      {
        character: toTurnCharacter(character),
        action: request.action,
        lore: request.lore,
        memory: recalled,
        group: request.participants ? { members: request.participants } : undefined,
        userName: request.userName,
        includeHistory: request.includeHistory,
        replyId: live.replyId,
        clientMessageId: request.clientMessageId,
        signal: live.abort.signal,
        onUserMessage: (user) => {
          live.userMessageId = user.id;
          emit(userMessageFrame(user, live.replyId, request.clientMessageId, request.speakers));
          // An edit puts the new message where the old one was: the branch changed there.
          if (request.action.kind === "edit") emit(branchFrame(request.sessionId, { activeLeafId: user.id, changedAtId: user.id }, request.clientMessageId));
        },
        onGenerating: () => {
          typing = true;
          emit({ type: "typing", character_id: character.id, is_typing: true });
        },
        onDelta: (delta) => {
          const chunk: ResponseChunkFrame = { type: "response_chunk", message_id: live.replyId, character_id: character.id, seq: live.chunks.length, delta };
          live.chunks.push(chunk);
          emit(chunk);
          voice?.push(delta);
        },
      },
    );
    if (typing) emit({ type: "typing", character_id: character.id, is_typing: false });
    this.side.afterMoves();

    if (!outcome.ok) {
      if (voice) this.side.voices.stop(voice, live.replyId);
      if (outcome.cause) logError("llm_failed", request, outcome.cause);
      // In a group, the error names its speaker: the others' replies still come.
      if (request.participants) Object.assign(outcome, { message: `${character.name} could not answer: ${outcome.message}` });
      live.final = errorFrame(outcome.code, outcome.message, { ...turnIds(live, request), ...(request.participants ? { character_id: character.id } : {}) });
      // Refused before anything happened (a regenerate of a message that left the branch, say): only the asker hears of it.
      if (!typing && !live.userMessageId) refuse(live.final);
      else emit(live.final);
      return outcome;
    }
    const { reply, cancelled } = outcome.value;
    if (voice && cancelled) this.side.voices.stop(voice, reply.id);
    else if (voice) await this.side.voices.finish(request, voice, reply);
    live.final = responseFrame(request.sessionId, reply, request.clientMessageId);
    emit(live.final);
    // A regenerated or continued reply takes its old sibling's place on the branch.
    if (request.action.kind === "regenerate" || request.action.kind === "continue") {
      emit(branchFrame(request.sessionId, { activeLeafId: reply.id, changedAtId: reply.id }, request.clientMessageId));
    }
    if (memoryOn)
      this.side.memory.remember(
        memoryScope,
        { sessionId: request.sessionId, names: macroNames(toTurnCharacter(character), request.userName) },
        outcome.value,
        recalled,
      );
    this.side.stats.record({
      sessionId: request.sessionId,
      characterId: character.id,
      keyId: request.caller.keyId,
      startedAt: reply.timestamp,
      lastMessageAt: reply.timestamp,
    });
    return { ok: true, value: live.final };
  }
}

const turnIds = (live: LiveReply, request: TurnRequest) => ({
  ...(live.userMessageId ? { user_message_id: live.userMessageId } : {}),
  ...(request.clientMessageId ? { client_message_id: request.clientMessageId } : {}),
});

function logError(event: string, request: TurnRequest, error: unknown): void {
  log("error", event, { session_id: request.sessionId, ...(request.requestId ? { request_id: request.requestId } : {}), error: errorText(error) });
}
