import type { ErrorFrame, ResponseChunkFrame, ResponseFrame, ResumeEntry, ServerFrame } from "../schemas/realtime";
import { ChatacterError } from "./errors.js";

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

interface PendingTurn {
  clientMessageId: string;
  frame: { type: "message"; character_id: string; content: string; client_message_id: string; metadata?: Record<string, unknown>; media?: MediaOption };
  replyId?: string;
  resolve(frame: ResponseFrame): void;
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

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES = new Set([4001, 4003]);
// As many resume entries as one auth frame may carry (shared/schemas/realtime.ts MAX_RESUME_ENTRIES).
const MAX_RESUME_ENTRIES = 32;
// Replies whose response was delivered, remembered so a replayed response is not delivered twice.
const FINISHED_MEMORY = 256;

/**
 * A chat session over the WebSocket. `send` resolves with the reply; chunks reach `on("response_chunk")`
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

  /** Sends a message; resolves with the `response` frame, or rejects with the turn's error. */
  async send(
    content: string,
    { characterId = "assistant", metadata, media }: { characterId?: string; metadata?: Record<string, unknown>; media?: MediaOption } = {},
  ): Promise<ResponseFrame> {
    const clientMessageId = `c_${crypto.randomUUID()}`;
    return new Promise((resolve, reject) => {
      const turn: PendingTurn = {
        clientMessageId,
        frame: {
          type: "message",
          character_id: characterId,
          content,
          client_message_id: clientMessageId,
          ...(metadata ? { metadata } : {}),
          ...(media === undefined ? {} : { media }),
        },
        resolve,
        reject,
      };
      this.pending.set(clientMessageId, turn);
      // Not yet authenticated: it goes out with the others once the server says `authenticated`.
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
      if (turn) turn.replyId = frame.reply_id;
    } else if (frame.type === "response") {
      if (this.finished.has(frame.message_id)) return;
      this.finishReply(frame.message_id);
      const turn = (frame.client_message_id && this.pending.get(frame.client_message_id)) || this.turnForReply(frame.message_id);
      if (turn) {
        this.pending.delete(turn.clientMessageId);
        turn.resolve(frame);
      }
    } else if (frame.type === "error" && frame.client_message_id) {
      const turn = this.pending.get(frame.client_message_id);
      if (turn) {
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

export type { ResponseChunkFrame, ResponseFrame, ServerFrame };
