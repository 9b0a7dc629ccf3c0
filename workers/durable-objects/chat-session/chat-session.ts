import { DurableObject } from "cloudflare:workers";
import type { HistoryQuery } from "../../../shared/schemas/chat";
import type { AudioChunkFrame, ServerFrame } from "../../../shared/schemas/realtime";
import type { Outcome } from "../../api-error";
import type { Caller } from "../../auth/caller";
import type { MessageMedia, PlacedMessage, StoredMessage } from "../../chat/turn";
import { sseEvent } from "../../chat/http-reply";
import type { Env } from "../../env";
import { forgetSessionMedia } from "../../media/forget-session";
import type { MediaOptions } from "../../media/reply-voice";
import { errorFrame } from "../../realtime/frames";
import { ConversationStats } from "./conversation-stats";
import { SessionMediaSwitch, type MediaSwitch } from "./media-switch";
import { HistoryStore, UnknownCursorError, type HistoryPage } from "./history-store";
import { BranchOps, type BranchState } from "./branch-ops";
import { MessageTree } from "./message-tree";
import { Ownership } from "./ownership";
import { SocketFrames } from "./socket-frames";
import { SessionLore, type SessionNote } from "./session-lore";
import type { ContextPreview } from "../../../shared/schemas/lorebooks";
import type { TurnAction } from "../../chat/turn-plan";
import { Sockets, send } from "./sockets";
import { SessionMemory } from "./session-memory";
import { previewNextTurn } from "./preview-next-turn";
import { rereadExchanges } from "./reread-exchanges";
import { TurnRunner, type Emit, type TurnRequest } from "./turn-runner";
import { VoiceFrames } from "./voice-frames";
import { SessionVoices } from "./session-voices";
import { SessionGroup, type GroupSettings } from "./session-group";
import { memberRows, prepareTurn } from "./prepare-turn";
import type { TurnAnswer } from "../../chat/http-reply";
import { errorText, log } from "../../log";

// An SSE stream waits this long at most for a reply's whole audio; later news is in GET /media/status.
const VOICE_STREAM_MAX_MS = 2 * 60_000;

export interface SessionMessageRequest {
  sessionId: string;
  caller: Caller;
  /** What the turn answers: a new message, or a regenerate, edit or continue of a message. */
  action: TurnAction;
  /** The character a new message talks to; a change to the tree keeps its message's character. */
  characterId?: string;
  userName?: string;
  includeHistory: boolean;
  media?: MediaOptions;
  requestId?: string;
  clientMessageId?: string;
  /** The app's end user (context.user_id / metadata.user_id): whose memory the turn uses. */
  userId?: string;
}

/**
 * One conversation: its history, its owner, its sockets (hibernatable), and its turns, one at a time.
 * HTTP calls arrive as RPC methods; WebSocket frames through the hibernation handlers below.
 */
export class ChatSession extends DurableObject<Env> {
  private readonly store: HistoryStore;
  private readonly tree: MessageTree;
  private readonly ownership: Ownership;
  private readonly lore: SessionLore;
  private readonly branches: BranchOps;
  private readonly stats: ConversationStats;
  private readonly sockets: Sockets;
  private readonly turns: TurnRunner;
  private readonly frames: SocketFrames;
  private readonly mediaSwitch: SessionMediaSwitch;
  private readonly memory: SessionMemory;
  private readonly voiceFrames: VoiceFrames;
  private readonly voices: SessionVoices;
  private readonly group: SessionGroup;
  // Frames of one socket are handled in order (an `auth` must finish before the `message` sent right after it).
  private readonly frameChains = new WeakMap<WebSocket, Promise<void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new HistoryStore(ctx.storage.sql);
    this.tree = new MessageTree(this.store);
    this.ownership = new Ownership(this.store);
    this.lore = new SessionLore(this.store);
    this.group = new SessionGroup(this.store);
    this.sockets = new Sockets(ctx);
    this.mediaSwitch = new SessionMediaSwitch(env);
    this.stats = new ConversationStats(env, ctx);
    const broadcast = (frame: ServerFrame) => this.sockets.broadcast(frame, (caller) => this.ownership.mayHear(caller));
    this.branches = new BranchOps(this.tree, this.store, broadcast);
    this.memory = new SessionMemory(env, this.store);
    this.voiceFrames = new VoiceFrames(ctx.storage.sql, broadcast);
    this.voices = new SessionVoices(env, ctx, this.store, {
      mediaSwitch: this.mediaSwitch,
      frames: this.voiceFrames,
      attachMedia: (messageId, media) => void this.attachMedia(messageId, media),
    });
    this.turns = new TurnRunner(env, this.tree, {
      stats: this.stats,
      memory: this.memory,
      ownerKey: () => this.ownership.ownerKey(),
      broadcast,
      voices: this.voices,
      afterMoves: () => this.afterMoves(),
    });
    this.frames = new SocketFrames({
      env,
      ctx,
      store: this.store,
      tree: this.tree,
      turns: this.turns,
      ownership: this.ownership,
      branches: this.branches,
      sockets: this.sockets,
      prepare: (request) => this.prepare(request),
      betweenTurns: (caller, change) => this.betweenTurns(caller, change),
    });
    // Answered by the runtime without waking the object: keep-alives cost nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  // ---- HTTP transport (RPC) ----

  async sendMessage(request: SessionMessageRequest): Promise<Outcome<TurnAnswer>> {
    const prepared = await this.prepare(request);
    if (!prepared.ok) return prepared;
    return this.turns.run(prepared.value, () => this.ownership.check(request.caller, { claim: true }));
  }

  /** The same turn as sendMessage, as a Server-Sent Events stream of the turn's frames. */
  async streamMessage(request: SessionMessageRequest, requestId: string): Promise<Outcome<ReadableStream<Uint8Array>>> {
    const prepared = await this.prepare(request);
    if (!prepared.ok) return prepared;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    // A client that goes away mid-stream does not stop the turn: the reply is still stored.
    const write: Emit = (frame) => void writer.write(encoder.encode(sseEvent(frame, requestId))).catch(() => {});
    void this.turns
      .run(prepared.value, () => this.ownership.check(request.caller, { claim: true }), write, write)
      // A voiced reply's stream stays open for its audio_chunk frames, until its whole audio has ended.
      .then(async (outcome) => {
        if (outcome.ok)
          await Promise.all((outcome.value.replies ?? [outcome.value]).map((reply) => this.voiceFrames.ended(reply.message_id, VOICE_STREAM_MAX_MS)));
      })
      .finally(() => writer.close().catch(() => {}));
    return { ok: true, value: readable };
  }

  async history(caller: Caller, query: HistoryQuery): Promise<Outcome<HistoryPage>> {
    const denied = this.ownership.check(caller, { claim: false });
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
    const denied = this.ownership.check(caller, { claim: false });
    if (denied) return denied;
    const message = this.store.get(messageId);
    if (!message) return { ok: false, code: "NOT_FOUND", message: `No message ${messageId} in this session` };
    return { ok: true, value: message };
  }

  // ---- the conversation tree (changes wait for the running turn, as turns do) ----

  async selectMessage(caller: Caller, messageId: string): Promise<Outcome<BranchState>> {
    return this.betweenTurns(caller, (sessionId) => this.branches.select(sessionId, messageId));
  }

  async deleteMessage(caller: Caller, messageId: string): Promise<Outcome<{ session_id: string; active_leaf_id: string | null; deleted_count: number }>> {
    return this.betweenTurns(caller, (sessionId) => {
      const outcome = this.branches.remove(sessionId, messageId);
      if (!outcome.ok) return outcome;
      const { deletedIds, ...removed } = outcome.value;
      this.turns.forgetReplies(deletedIds);
      return { ok: true, value: removed };
    });
  }

  /** An edit that gets no reply (a character's message, or `regenerate: false`). */
  async editMessage(caller: Caller, messageId: string, content: string): Promise<Outcome<BranchState & { message: PlacedMessage }>> {
    return this.betweenTurns(caller, (sessionId) => this.branches.editStored(sessionId, messageId, content));
  }

  async messageSiblings(caller: Caller, messageId: string): Promise<Outcome<{ siblings: PlacedMessage[]; active_index: number }>> {
    const denied = this.ownership.check(caller, { claim: false });
    return denied ?? this.branches.siblings(messageId);
  }

  /** A page of the path from the root to a message, for a fork to copy. */
  async forkPath(caller: Caller, messageId: string, offset: number, limit: number): Promise<Outcome<{ messages: StoredMessage[]; total: number }>> {
    const denied = this.ownership.check(caller, { claim: false });
    return denied ?? this.branches.path(messageId, offset, limit);
  }

  /** Fills a new session with a fork's copies, page by page; the first page claims it for the caller. */
  async importFork(caller: Caller, sessionId: string, messages: StoredMessage[], last: boolean): Promise<Outcome<{ total_count: number }>> {
    if (!this.store.getMeta("session_id")) this.store.setMeta("session_id", sessionId);
    const denied = this.ownership.check(caller, { claim: true });
    if (denied) return denied;
    const total = this.branches.importCopies(messages);
    const final = messages.at(-1);
    if (last && final) {
      const now = new Date().toISOString();
      this.stats.record({ sessionId, characterId: final.character_id, keyId: caller.keyId, startedAt: now, lastMessageAt: now });
    }
    return { ok: true, value: { total_count: total } };
  }

  // ---- the session's lorebooks and author's note (a write claims a session nobody owns yet) ----

  async sessionLorebooks(caller: Caller): Promise<Outcome<string[]>> {
    return this.ownership.check(caller, { claim: false }) ?? { ok: true, value: this.lore.lorebookIds() };
  }

  async setSessionLorebooks(caller: Caller, sessionId: string, ids: string[]): Promise<Outcome<string[]>> {
    return this.claimFor(caller, sessionId) ?? { ok: true, value: this.lore.setLorebookIds(ids) };
  }

  async sessionNote(caller: Caller): Promise<Outcome<SessionNote>> {
    return this.ownership.check(caller, { claim: false }) ?? { ok: true, value: this.lore.note() };
  }

  async setSessionNote(caller: Caller, sessionId: string, note: SessionNote): Promise<Outcome<SessionNote>> {
    return this.claimFor(caller, sessionId) ?? { ok: true, value: this.lore.setNote(note) };
  }

  /** The prompt the next turn would send, built as the turn builds it; no LLM is asked, nothing is stored. */
  async contextPreview(
    caller: Caller,
    request: { sessionId: string; characterId: string; message: string; userName?: string; userId?: string },
  ): Promise<Outcome<ContextPreview>> {
    const denied = this.ownership.check(caller, { claim: false, allowNew: true });
    if (denied) return denied;
    // In a group, the preview is the named member's prompt, with the others named as in its turn.
    const group = this.group.get();
    const participants = group && (await memberRows(this.env, this.ctx, group.members)).map((member) => ({ id: member.id, name: member.name }));
    return previewNextTurn(
      { env: this.env, ctx: this.ctx, tree: this.tree, lore: this.lore, memory: this.memory, ownerKey: this.ownership.ownerKey() ?? caller.keyId },
      { ...request, participants: participants || undefined },
    );
  }

  /** The session's media switch; every change comes through here, so the object can keep it in memory. */
  async getMediaSwitch(caller: Caller): Promise<Outcome<MediaSwitch>> {
    const denied = this.ownership.check(caller, { claim: false });
    if (denied) return denied;
    return { ok: true, value: await this.mediaSwitch.get(this.store.getMeta("session_id")!) };
  }

  async setMediaSwitch(caller: Caller, change: Partial<MediaSwitch>): Promise<Outcome<MediaSwitch>> {
    const denied = this.ownership.check(caller, { claim: false });
    if (denied) return denied;
    return { ok: true, value: await this.mediaSwitch.set(this.store.getMeta("session_id")!, change) };
  }

  /** Called by the media pipeline when a reply's media moves on: stored, and pushed to every socket. */
  async attachMedia(messageId: string, media: MessageMedia): Promise<boolean> {
    const merged = this.store.setMedia(messageId, media);
    if (!merged) return false;
    const frame = { type: "media" as const, message_id: messageId, media: merged };
    this.sockets.broadcast(frame, (caller) => this.ownership.mayHear(caller));
    this.voiceFrames.media(messageId, frame);
    return true;
  }

  /** Called by the media pipeline when a chunk of a reply's speech has ended: sent in seq order. */
  async attachAudioChunk(frame: AudioChunkFrame): Promise<boolean> {
    const known = this.voiceFrames.add(frame);
    this.voices.voiced(frame.message_id, frame.seq);
    return known;
  }

  /** Clearing waits for a running turn, so a reply never lands in a history that was just cleared. */
  async clear(caller: Caller): Promise<Outcome<{ cleared_at: string }>> {
    return this.turns.exclusive(async () => {
      const denied = this.ownership.check(caller, { claim: false });
      if (denied) return denied;
      this.store.clear();
      this.turns.forget();
      this.voiceFrames.clear();
      this.tree.takeMoves();
      await this.memory.forget(this.store.getMeta("session_id")!);
      // Awaited: when DELETE answers, the session's media jobs are stopped and their files gone (the
      // last reply's jobs may still be on their way to D1; they are waited for, then stopped too).
      await this.turns.mediaStored();
      await forgetSessionMedia(this.env, this.store.getMeta("session_id")!);
      return { ok: true, value: { cleared_at: new Date().toISOString() } };
    });
  }

  /** A key was revoked: its sockets here close with 4001. Answers how many there were. */
  async closeSocketsOf(keyId: string): Promise<number> {
    return this.sockets.closeKey(keyId, errorFrame("UNAUTHORIZED", "This API key was revoked"));
  }

  // ---- WebSocket transport ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    // Nothing is stored until the socket authenticates: the session id waits in the socket's state.
    const sessionId = new URL(request.url).searchParams.get("session_id") ?? undefined;
    const { 0: client, 1: server } = new WebSocketPair();
    this.sockets.accept(server, sessionId, request.headers.get("CF-Connecting-IP") || undefined);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const previous = this.frameChains.get(ws) ?? Promise.resolve();
    const next = previous
      .then(() => this.frames.onFrame(ws, raw))
      .catch((error) => {
        log("error", "socket_frame_failed", { error: errorText(error) });
        send(ws, errorFrame("INTERNAL_ERROR", "Internal server error"));
      });
    this.frameChains.set(ws, next);
    return next;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // The peer closed; finish the handshake. 1005/1006 cannot be sent back, so answer 1000.
    try {
      ws.close(code >= 3000 && code < 5000 ? code : 1000);
    } catch {
      // already closed
    }
  }

  // ---- shared ----

  /** Claims the session for `caller` if nobody owns it (naming it), else checks the owner. */
  private claimFor(caller: Caller, sessionId: string) {
    if (!this.store.getMeta("session_id")) this.store.setMeta("session_id", sessionId);
    return this.ownership.check(caller, { claim: true });
  }

  /** Runs a tree change between turns, for the session's owner (or an admin) only. */
  private betweenTurns<T>(caller: Caller, change: (sessionId: string) => Outcome<T>): Promise<Outcome<T>> {
    return this.turns.exclusive(async () => {
      const outcome = this.ownership.check(caller, { claim: false }) ?? change(this.store.getMeta("session_id")!);
      this.afterMoves();
      return outcome;
    });
  }

  /** Tells memory what left and joined the active branch, with the latest exchanges that came back (to read again). */
  private afterMoves(): void {
    const moves = this.tree.takeMoves();
    if (moves.left.length === 0 && moves.joined.length === 0) return;
    this.memory.branchMoved(moves, rereadExchanges(this.store, moves.joined));
  }

  /** Checks what can be checked before queueing (prepare-turn.ts). */
  private prepare(request: SessionMessageRequest): Promise<Outcome<TurnRequest>> {
    const { env, ctx, store, ownership, memory, lore, group } = this;
    return prepareTurn({ env, ctx, store, ownership, memory, lore, group }, request);
  }

  // ---- group sessions (CHARACTER-ENGINE.md §5) ----

  /** Makes a new (or empty) session a group, owned by the caller. */
  async createGroup(caller: Caller, sessionId: string, settings: GroupSettings): Promise<Outcome<GroupSettings>> {
    return this.turns.exclusive(async () => {
      if (!this.store.getMeta("session_id")) this.store.setMeta("session_id", sessionId);
      const denied = this.ownership.check(caller, { claim: true });
      if (denied) return denied;
      if (this.store.count() > 0 || this.group.get()) {
        return {
          ok: false,
          code: "CONFLICT",
          message: `Session ${sessionId} exists already: change its members with PUT /api/v1/chat/sessions/${sessionId}/members`,
        };
      }
      return { ok: true, value: this.group.set(settings) };
    });
  }

  async groupOf(caller: Caller): Promise<Outcome<GroupSettings>> {
    const denied = this.ownership.check(caller, { claim: false });
    if (denied) return denied;
    return { ok: true, value: this.group.view() };
  }

  /** New members, between turns; a one-character session becomes a group (strategy natural). */
  async setMembers(caller: Caller, members: string[]): Promise<Outcome<GroupSettings>> {
    return this.turns.exclusive(async () => {
      const denied = this.ownership.check(caller, { claim: false });
      if (denied) return denied;
      const current = this.group.get();
      return { ok: true, value: this.group.set({ strategy: "natural", allow_self_responses: false, ...current, group: true, members }) };
    });
  }
}
