import type { ErrorFrame, ResponseChunkFrame, ResponseFrame, ServerFrame } from "../schemas/realtime";
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
  lastSeq: number;
  resolve(frame: ResponseFrame): void;
  reject(error: ChatacterError): void;
}

type Listener = (frame: ServerFrame) => void;

/** A reply's media for one message: false for none, or turn voice or video off. */
export type MediaOption = boolean | { voice?: boolean; video?: boolean };

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES = new Set([4001, 4003]);

/**
 * A chat session over the WebSocket. `send` resolves with the reply; chunks reach `on("response_chunk")`
 * listeners once each, in order. After a dropped connection it reconnects, authenticates again and picks
 * up each unanswered message: it resumes a reply it had started seeing, and re-sends the others with
 * their client_message_id, which the server never runs twice.
 */
export class ChatSocket {
  sessionId?: string;
  /** Resolves once authenticated (again after each reconnect, `ready` is replaced). */
  ready: Promise<string>;
  private ws?: WebSocket;
  private readonly pending = new Map<string, PendingTurn>();
  private readonly listeners = new Map<string, Set<Listener>>();
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
  async send(content: string, { characterId = "assistant", metadata, media }: { characterId?: string; metadata?: Record<string, unknown>; media?: MediaOption } = {}): Promise<ResponseFrame> {
    const clientMessageId = `c_${crypto.randomUUID()}`;
    return new Promise((resolve, reject) => {
      const turn: PendingTurn = {
        clientMessageId,
        frame: { type: "message", character_id: characterId, content, client_message_id: clientMessageId, ...(metadata ? { metadata } : {}), ...(media === undefined ? {} : { media }) },
        lastSeq: -1,
        resolve,
        reject,
      };
      this.pending.set(clientMessageId, turn);
      void this.ready.then(() => this.raw(turn.frame), () => undefined);
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
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "auth", token: this.options.token, ...(this.sessionId ? { session_id: this.sessionId } : {}) })));
    ws.addEventListener("message", (event) => this.onFrame(JSON.parse(String(event.data)) as ServerFrame));
    ws.addEventListener("close", (event) => this.onClose(event.code, event.reason));
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === "authenticated") {
      this.sessionId = frame.session_id;
      this.retries = 0;
      this.resolveReady(frame.session_id);
      this.resumePending();
    } else if (frame.type === "user_message" && frame.client_message_id) {
      const turn = this.pending.get(frame.client_message_id);
      if (turn) turn.replyId = frame.reply_id;
    } else if (frame.type === "response_chunk") {
      const turn = this.turnForReply(frame.message_id);
      // A chunk replayed after a reconnect is delivered once.
      if (turn && frame.seq <= turn.lastSeq) return;
      if (turn) turn.lastSeq = frame.seq;
    } else if (frame.type === "response") {
      const turn = (frame.client_message_id && this.pending.get(frame.client_message_id)) || this.turnForReply(frame.message_id);
      if (turn) {
        this.pending.delete(turn.clientMessageId);
        turn.resolve(frame);
      }
    } else if (frame.type === "error" && frame.client_message_id) {
      const turn = this.pending.get(frame.client_message_id);
      if (turn) {
        this.pending.delete(turn.clientMessageId);
        turn.reject(fromFrame(frame));
      }
    }
    for (const listener of this.listeners.get(frame.type) ?? []) listener(frame);
  }

  private turnForReply(replyId: string): PendingTurn | undefined {
    for (const turn of this.pending.values()) if (turn.replyId === replyId) return turn;
    return undefined;
  }

  private resumePending(): void {
    for (const turn of this.pending.values()) {
      if (turn.replyId) this.raw({ type: "resume", message_id: turn.replyId, last_seq: turn.lastSeq });
      else this.raw(turn.frame);
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.closedByUser) return;
    const fatal = FATAL_CLOSES.has(code);
    if (fatal || this.options.reconnect === false || this.retries >= (this.options.maxRetries ?? 10)) {
      const error = new ChatacterError(code === 4003 ? "FORBIDDEN" : code === 4001 ? "UNAUTHORIZED" : "NETWORK_ERROR", `WebSocket closed (${code}${reason ? `: ${reason}` : ""})`);
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
  return new ChatacterError(frame.code, frame.message, undefined, undefined, frame.user_message_id ? { user_message_id: frame.user_message_id } : undefined, frame.retry_after_seconds);
}

export type { ResponseChunkFrame, ResponseFrame, ServerFrame };
