import type { z } from "zod";
import type { BranchFrame, ClientFrame, ErrorFrame, ResponseChunkFrame, ResponseFrame, ResumeEntry, ServerFrame } from "../schemas/realtime";
import { ChatacterError } from "./errors.js";
import { GroupTurn, type SpeakerErrorFrame, type TurnResponseFrame } from "./group-turn.js";

export interface ChatSessionOptions {
  /** ws:// or wss:// URL of /api/v1/ws/chat. */
  url: string;
  token: string;
  /** Omitted: the server starts a session; its id is in `ready` and `sessionId`. */
  sessionId?: string;
  /** Reconnect after a dropped connection (default true), with this many tries (default 10). */
  reconnect?: boolean;
  maxRetries?: number;
  WebSocket?: typeof WebSocket;
}

type FrameOf<T extends ClientFrame["type"]> = Extract<z.input<typeof ClientFrame>, { type: T }>;
/** The frames that wait for an answer: a message, and the conversation tree's frames. */
type TurnFrame = FrameOf<"message" | "regenerate" | "edit" | "continue" | "select">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Options of `regenerate` and `continue`: the user's name (`metadata.user_name`), the end user whose memory
 * the character keeps (`userId`, sent as `metadata.user_id`), reply media, and `queue: false` to refuse
 * (CONFLICT) rather than wait while another reply is generated.
 */
export type SocketGenerateOptions = Pick<FrameOf<"regenerate">, "metadata" | "media" | "queue"> & { userId?: string };
/** Options of `edit`: as `regenerate`'s, and `regenerate: false` to store an edited user message without answering it. */
export type SocketEditOptions = SocketGenerateOptions & Pick<FrameOf<"edit">, "regenerate">;

interface PendingTurn {
  clientMessageId: string;
  frame: TurnFrame & { client_message_id: string };
  replyId?: string;
  /** A message to a group session: its speakers, and what has come of each. */
  group?: GroupTurn;
  /**
   * Settled by the `response` frame echoing its id (in a group, by the last speaker's), or for a select
   * or a stored edit by the `branch` frame.
   */
  resolve(frame: TurnResponseFrame | BranchFrame): void;
  reject(error: ChatacterError): void;
}

type Listener = (frame: ServerFrame) => void;

/** A reply's media for one message: false for none, or turn voice or video off. */
export type MediaOption = boolean | { voice?: boolean; video?: boolean };

/** Where a reply's chunks stand: the next seq to deliver, and those that came early. */
interface ChunkOrder {
  next: number;
  held: Map<number, ResponseChunkFrame>;
}

/** Options with `userId` folded into the frame's metadata as `metadata.user_id`. */
function withUserId<T extends { metadata?: Record<string, unknown>; userId?: string }>({ userId, ...rest }: T): Omit<T, "userId"> {
  return userId === undefined ? rest : { ...rest, metadata: { ...rest.metadata, user_id: userId } };
}

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES = new Set([4001, 4003]);
// As many resume entries as one auth frame may carry (shared/schemas/realtime.ts MAX_RESUME_ENTRIES).
const MAX_RESUME_ENTRIES = 32;
// Replies whose response was delivered, remembered so a replayed response is not delivered twice.
const FINISHED_MEMORY = 256;

/**
 * A chat session over the WebSocket. `send` resolves with the reply (in a group session, once every
 * speaker has answered), and so do `regenerate`, `edit` and
 * `continue` (a `select`, with the `branch` frame); chunks reach `on("response_chunk")`
 * listeners once each, strictly in seq order (a chunk that comes early waits for the ones before it).
 * After a dropped connection it reconnects and authenticates again with the list of unanswered
 * messages (`auth.resume`), so the server sends what was missed before any live frame; a message the
 * server never saw is sent again with its client_message_id, which the server never runs twice.
 */
export class ChatSocket {
  sessionId?: string;
  /** Resolves once authenticated (again after each reconnect, `ready` is replaced). */
  ready: Promise<string>;
  private ws?: WebSocket;
  private readonly pending = new Map<string, PendingTurn>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly orders = new Map<string, ChunkOrder>();
  private readonly finished = new Set<string>();
  private authenticated = false;
  private closedByUser = false;
  private retries = 0;
  private resolveReady!: (sessionId: string) => void;
  private rejectReady!: (error: ChatacterError) => void;

  constructor(private readonly options: ChatSessionOptions) {
    this.sessionId = options.sessionId;
    this.ready = this.newReady();
    this.open();
  }

  /**
   * Sends a message; resolves with the `response` frame, or rejects with the turn's error. `userId` is
   * sent as `metadata.user_id`. No `characterId`: "assistant" answers (the API's default), or in a
   * group session the speakers its strategy picks, announced in the `user_message` frame's `speakers`;
   * `send` then resolves once each has answered, with the first reply's frame plus `replies` (all of
   * them, in order) and `failed` (the speakers whose reply failed: their `error` frames name them).
   * It rejects only if none answered. Naming a member makes it answer alone.
   *
   * @example
   * const socket = client.connect({ sessionId: group.session_id });
   * socket.on("user_message", (frame) => console.log("answering:", frame.speakers?.join(", ")));
   * const turn = await socket.send("Otto, is the clock still broken?");
   * for (const reply of turn.replies ?? [turn]) console.log(`${reply.character_id}: ${reply.content}`);
   * for (const { character_id, message } of turn.failed ?? []) console.warn(character_id, message);
   */
  send(
    content: string,
    options: { characterId?: string; metadata?: Record<string, unknown>; media?: MediaOption; userId?: string } = {},
  ): Promise<TurnResponseFrame> {
    const { characterId, metadata, media } = withUserId(options);
    return this.enqueue({
      type: "message",
      ...(characterId === undefined ? {} : { character_id: characterId }),
      content,
      ...(metadata ? { metadata } : {}),
      ...(media === undefined ? {} : { media }),
    });
  }

  // ---- the conversation tree (CHARACTER-ENGINE.md §1) ----
  // Each call is sent with a client_message_id and kept with the unanswered messages, so a reconnect
  // resumes it or sends it again: the server never runs a reply's id twice, and a select sent again
  // only selects again. Every socket of the session, this one included, also gets the `branch` frame
  // of each change (`on("branch", ...)`).

  /**
   * Swipe: a new reply in place of `messageId` (a reply on the active branch, at any depth), generated
   * from the history above it. Streams like a turn (`response_chunk` listeners see it); resolves with
   * the `response` frame, rejects with ChatacterError on the `error` frame.
   *
   * @example
   * const socket = client.connect({ sessionId });
   * const swipe = await socket.regenerate(reply.message_id);
   * console.log(`${swipe.sibling_index + 1}/${swipe.sibling_count}`, swipe.content);
   */
  regenerate(messageId: string, options: SocketGenerateOptions = {}): Promise<ResponseFrame> {
    return this.enqueue({ type: "regenerate", message_id: messageId, ...withUserId(options) });
  }

  /**
   * Edits a message: the new text becomes a sibling, made active. An edited user message is answered:
   * resolves with the reply's `response` frame (its `user_message_id` is the new message). An edited
   * reply, or `regenerate: false`, is only stored: resolves with the `branch` frame (`active_leaf_id`
   * is the new message). Like every call here, it survives a dropped connection: the server keeps its
   * client_message_id and answers a re-sent edit with the `branch` frame of the first.
   *
   * @example
   * const answered = await socket.edit(userMessageId, "What I meant to say");
   * if (answered.type === "response") console.log(answered.content);
   * const stored = await socket.edit(replyId, "A better reply."); // a reply: `branch` frame
   */
  edit(messageId: string, content: string, options: SocketEditOptions & { regenerate: false }): Promise<BranchFrame>;
  edit(messageId: string, content: string, options?: SocketEditOptions): Promise<ResponseFrame | BranchFrame>;
  edit(messageId: string, content: string, options: SocketEditOptions = {}): Promise<ResponseFrame | BranchFrame> {
    return this.enqueue({ type: "edit", message_id: messageId, content, ...withUserId(options) });
  }

  /**
   * The active leaf (a reply) goes on where it stopped: a new sibling holds its text plus the
   * continuation. Its first `response_chunk` is the old text. Resolves with the `response` frame.
   *
   * @example
   * const longer = await socket.continue(reply.message_id);
   */
  continue(messageId: string, options: SocketGenerateOptions = {}): Promise<ResponseFrame> {
    return this.enqueue({ type: "continue", message_id: messageId, ...withUserId(options) });
  }

  /**
   * Makes `messageId` active (swipes to it, or goes back to it); resolves with the `branch` frame.
   *
   * @example
   * const { siblings, active_index } = await client.siblings(sessionId, replyId); // HTTP
   * const branch = await socket.select(siblings[active_index - 1]!.id);
   * console.log(branch.active_leaf_id);
   */
  select(messageId: string, options: Pick<SocketGenerateOptions, "queue"> = {}): Promise<BranchFrame> {
    return this.enqueue({ type: "select", message_id: messageId, ...options });
  }

  /** Queues a frame with a new client_message_id: sent now if authenticated, else once the server says `authenticated`. */
  private enqueue<T extends TurnResponseFrame | BranchFrame>(frame: DistributiveOmit<TurnFrame, "client_message_id">): Promise<T> {
    const clientMessageId = `c_${crypto.randomUUID()}`;
    return new Promise<T>((resolve, reject) => {
      const turn: PendingTurn = {
        clientMessageId,
        frame: { ...frame, client_message_id: clientMessageId },
        resolve: resolve as PendingTurn["resolve"],
        reject,
      };
      this.pending.set(clientMessageId, turn);
      if (this.authenticated) this.raw(turn.frame);
    });
  }

  /** Stops the reply being generated; its `send` resolves with the partial reply (`cancelled: true`). */
  cancel(): void {
    this.raw({ type: "cancel" });
  }

  on<T extends ServerFrame["type"]>(type: T, listener: (frame: Extract<ServerFrame, { type: T }>) => void): () => void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener as Listener);
    this.listeners.set(type, set);
    return () => set.delete(listener as Listener);
  }

  /** Drops the connection and reconnects, as after a network change; nothing in flight is lost. */
  reconnect(): void {
    this.ws?.close(4000, "client reconnect");
  }

  close(): void {
    this.closedByUser = true;
    this.ws?.close(1000);
    for (const turn of this.pending.values()) turn.reject(new ChatacterError("NETWORK_ERROR", "The session was closed"));
    this.pending.clear();
  }

  private newReady(): Promise<string> {
    const ready = new Promise<string>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    ready.catch(() => undefined);
    return ready;
  }

  private raw(frame: unknown): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  private open(): void {
    const Socket = this.options.WebSocket ?? WebSocket;
    const ws = new Socket(this.options.url);
    this.ws = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify(this.authFrame())));
    ws.addEventListener("message", (event) => this.onFrame(JSON.parse(String(event.data)) as ServerFrame));
    ws.addEventListener("close", (event) => this.onClose(event.code, event.reason));
  }

  /** Auth, listing every unanswered message so the server can send what this client missed first. */
  private authFrame() {
    const resume: ResumeEntry[] = [...this.pending.values()].slice(0, MAX_RESUME_ENTRIES).map((turn) => ({
      client_message_id: turn.clientMessageId,
      ...(turn.replyId ? { message_id: turn.replyId } : {}),
      last_seq: turn.replyId ? (this.orders.get(turn.replyId)?.next ?? 0) - 1 : -1,
    }));
    return { type: "auth", token: this.options.token, ...(this.sessionId ? { session_id: this.sessionId } : {}), ...(resume.length ? { resume } : {}) };
  }

  private onFrame(frame: ServerFrame): void {
    // A connection that brought anything but an error made progress: the backoff starts over.
    if (frame.type !== "error") this.retries = 0;
    if (frame.type === "response_chunk") {
      this.deliverChunk(frame);
      return;
    }
    if (frame.type === "authenticated") {
      this.sessionId = frame.session_id;
      this.authenticated = true;
      this.resolveReady(frame.session_id);
      this.sendUnanswered();
    } else if (frame.type === "user_message") {
      if (!this.orders.has(frame.reply_id)) this.orders.set(frame.reply_id, { next: 0, held: new Map() });
      const turn = frame.client_message_id ? this.pending.get(frame.client_message_id) : undefined;
      // Turns run one at a time: a group turn still waiting for a reply it missed (a reconnect) is over.
      for (const waiting of [...this.pending.values()]) if (waiting.group && waiting !== turn) this.settleGroup(waiting);
      if (turn) turn.replyId = frame.reply_id;
      // A message to a group: its speakers answer one after another, and `send` waits for them all.
      if (turn && frame.speakers && !turn.group) turn.group = new GroupTurn(frame.speakers, frame.message_id);
    } else if (frame.type === "response") {
      if (this.finished.has(frame.message_id)) return;
      this.finishReply(frame.message_id);
      const group = this.groupTurnOwning(frame);
      const turn = !group && ((frame.client_message_id && this.pending.get(frame.client_message_id)) || this.turnForReply(frame.message_id));
      if (group) this.hearSpeaker(group, frame);
      else if (turn) {
        this.pending.delete(turn.clientMessageId);
        turn.resolve(frame);
      }
    } else if (frame.type === "branch" && frame.client_message_id) {
      // A select, or an edit that is only stored (no `user_message` came for it): the change is the answer.
      const turn = this.pending.get(frame.client_message_id);
      if (turn && (turn.frame.type === "select" || (turn.frame.type === "edit" && !turn.replyId))) {
        this.pending.delete(turn.clientMessageId);
        turn.resolve(frame);
      }
    } else if (frame.type === "error") {
      // A group speaker failed: the next ones still answer.
      const group = frame.character_id ? this.groupTurnOwning(frame as SpeakerErrorFrame) : undefined;
      const turn = !group && frame.client_message_id ? this.pending.get(frame.client_message_id) : undefined;
      if (group) this.hearSpeaker(group, frame as SpeakerErrorFrame);
      else if (turn) {
        this.pending.delete(turn.clientMessageId);
        if (turn.replyId) this.orders.delete(turn.replyId);
        turn.reject(fromFrame(frame));
      }
    }
    this.emit(frame);
  }

  /** Delivers chunks in seq order: duplicates are dropped, early ones wait for the gap to fill. */
  private deliverChunk(chunk: ResponseChunkFrame): void {
    if (this.finished.has(chunk.message_id)) return;
    let order = this.orders.get(chunk.message_id);
    // A reply first seen mid-way (another tab's turn, joined late) is followed from where it is.
    if (!order) {
      order = { next: chunk.seq, held: new Map() };
      this.orders.set(chunk.message_id, order);
      // A later speaker of a group turn: after a reconnect, it is the reply to resume.
      const turn = [...this.pending.values()].find((t) => t.group?.speaking === chunk.character_id && !t.group.complete);
      if (turn) turn.replyId = chunk.message_id;
    }
    if (chunk.seq < order.next) return;
    order.held.set(chunk.seq, chunk);
    for (let next = order.held.get(order.next); next; next = order.held.get(order.next)) {
      order.held.delete(order.next++);
      this.emit(next);
    }
  }

  /** The reply is complete: chunks still held behind a gap go out in order, then it is forgotten. */
  private finishReply(replyId: string): void {
    const order = this.orders.get(replyId);
    this.orders.delete(replyId);
    for (const seq of [...(order?.held.keys() ?? [])].sort((a, b) => a - b)) this.emit(order!.held.get(seq)!);
    this.finished.add(replyId);
    if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value!);
  }

  private emit(frame: ServerFrame): void {
    for (const listener of this.listeners.get(frame.type) ?? []) listener(frame);
  }

  /** The group turn a speaker's `response` or `error` frame belongs to. */
  private groupTurnOwning(frame: ResponseFrame | SpeakerErrorFrame): PendingTurn | undefined {
    for (const turn of this.pending.values()) {
      if (frame.client_message_id && frame.client_message_id !== turn.clientMessageId) continue;
      if (turn.group?.owns(frame)) return turn;
    }
    return undefined;
  }

  /** A group speaker has answered (or failed); once the last has, the turn is settled. */
  private hearSpeaker(turn: PendingTurn, frame: ResponseFrame | SpeakerErrorFrame): void {
    turn.group!.add(frame);
    if (turn.group!.complete) this.settleGroup(turn);
  }

  /** Resolves a group turn with the replies it has (rejects if it has none). */
  private settleGroup(turn: PendingTurn): void {
    this.pending.delete(turn.clientMessageId);
    const result = turn.group!.result();
    if (result instanceof ChatacterError) turn.reject(result);
    else turn.resolve(result);
  }

  private turnForReply(replyId: string): PendingTurn | undefined {
    for (const turn of this.pending.values()) if (turn.replyId === replyId) return turn;
    return undefined;
  }

  /**
   * After `authenticated`: the server has sent what it knew of each unanswered message. Those whose
   * reply was never seen are sent (again); the server answers a known one without running it twice.
   */
  private sendUnanswered(): void {
    [...this.pending.values()].forEach((turn, index) => {
      if (!turn.replyId) this.raw(turn.frame);
      // Beyond what one auth frame carries: the older resume frame.
      else if (index >= MAX_RESUME_ENTRIES) this.raw({ type: "resume", message_id: turn.replyId, last_seq: (this.orders.get(turn.replyId)?.next ?? 0) - 1 });
    });
  }

  private onClose(code: number, reason: string): void {
    this.authenticated = false;
    if (this.closedByUser) return;
    const fatal = FATAL_CLOSES.has(code);
    if (fatal || this.options.reconnect === false || this.retries >= (this.options.maxRetries ?? 10)) {
      const error = new ChatacterError(
        code === 4003 ? "FORBIDDEN" : code === 4001 ? "UNAUTHORIZED" : "NETWORK_ERROR",
        `WebSocket closed (${code}${reason ? `: ${reason}` : ""})`,
      );
      this.rejectReady(error);
      for (const turn of this.pending.values()) turn.reject(error);
      this.pending.clear();
      return;
    }
    this.ready = this.newReady();
    const delay = Math.min(5000, 100 * 2 ** this.retries++);
    setTimeout(() => this.open(), delay);
  }
}

function fromFrame(frame: ErrorFrame): ChatacterError {
  return new ChatacterError(
    frame.code,
    frame.message,
    undefined,
    undefined,
    frame.user_message_id ? { user_message_id: frame.user_message_id } : undefined,
    frame.retry_after_seconds,
  );
}

export type { BranchFrame, ResponseChunkFrame, ResponseFrame, ServerFrame };
