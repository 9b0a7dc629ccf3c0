import { CLOSE_CODES, type ClientFrame } from "../../../shared/schemas/realtime";
import type { Outcome } from "../../api-error";
import { ADMIN_KEY_ID, type Caller } from "../../auth/caller";
import { authenticateFrom } from "../../auth/authenticate";
import { getKey } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { registerSocketSession } from "../../db/socket-sessions";
import type { Env } from "../../env";
import { getRateLimiter } from "../../rate-limit/limiter";
import { branchFrame, errorFrame, rateLimitErrorFrame } from "../../realtime/frames";
import { parseClientFrame } from "../../realtime/parse-frame";
import type { BranchOps } from "./branch-ops";
import { catchUpFrames } from "./catch-up";
import type { SessionMessageRequest } from "./chat-session";
import type { HistoryStore } from "./history-store";
import type { MessageTree } from "./message-tree";
import type { Ownership } from "./ownership";
import { send, stateOf, type Sockets } from "./sockets";
import type { Denied, TurnRequest, TurnRunner } from "./turn-runner";

/** What the frame handlers use of their session's object. */
export interface SessionParts {
  env: Env;
  ctx: DurableObjectState;
  store: HistoryStore;
  tree: MessageTree;
  turns: TurnRunner;
  ownership: Ownership;
  branches: BranchOps;
  sockets: Sockets;
  prepare(request: SessionMessageRequest): Promise<Outcome<TurnRequest>>;
  betweenTurns<T>(caller: Caller, change: (sessionId: string) => Outcome<T>): Promise<Outcome<T>>;
}

/**
 * The WebSocket protocol of one session, frame by frame: `auth` (with what a reconnecting client
 * missed), `message`, `cancel`, `resume`, and the conversation tree's frames. The object's lifecycle
 * (accepting sockets, ordering each socket's frames) stays in the class.
 */
export class SocketFrames {
  constructor(private readonly session: SessionParts) {}

  async onFrame(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) return send(ws, parsed.error);
    const frame = parsed.frame;
    if (frame.type === "auth") return this.onAuth(ws, frame);
    const caller = stateOf(ws)?.caller;
    if (!caller) return send(ws, errorFrame("UNAUTHORIZED", "Send an auth frame before anything else"));
    const denied = this.session.ownership.check(caller, { claim: false });
    if (denied) {
      send(ws, errorFrame(denied.code, denied.message));
      return ws.close(CLOSE_CODES.FORBIDDEN, "session belongs to another key");
    }
    // Frames share the key's budget with its HTTP calls; a refused frame leaves the socket open.
    const limit = await getRateLimiter(this.session.env, this.session.ctx)?.limit(`key:${caller.keyId}`);
    if (limit && !limit.success) {
      const refused = rateLimitErrorFrame(limit);
      return send(ws, "client_message_id" in frame && frame.client_message_id ? { ...refused, client_message_id: frame.client_message_id } : refused);
    }
    if (frame.type === "message") return this.onMessage(ws, caller, frame);
    if (frame.type === "cancel") {
      if (!this.session.turns.cancel()) send(ws, errorFrame("NOT_FOUND", "No reply is being generated or spoken"));
      return;
    }
    if (frame.type === "resume") return this.onResume(ws, frame.message_id, frame.last_seq);
    return this.onTreeFrame(ws, caller, frame);
  }

  private async onAuth(ws: WebSocket, frame: Extract<ClientFrame, { type: "auth" }>): Promise<void> {
    const state = stateOf(ws);
    const bound = state.sessionId ?? this.session.store.getMeta("session_id");
    const sessionId = frame.session_id ?? bound;
    if (!sessionId || (bound && sessionId !== bound)) {
      return send(ws, errorFrame("INVALID_REQUEST", `This socket is connected to session ${bound}; auth named ${frame.session_id}`));
    }
    const outcome = await authenticateFrom(this.session.env, state.ip, frame.token, this.session.ctx);
    // Out of failed-auth budget: the key was not even tried; the socket may try again after the delay.
    if (!outcome.ok && outcome.code === "RATE_LIMIT_EXCEEDED") {
      return send(ws, rateLimitErrorFrame(outcome.limit, `Too many failed authentications from this address; retry in ${outcome.limit.retryAfterSeconds} s`));
    }
    const caller = outcome.ok ? outcome.caller : undefined;
    const refuse = (denied: Denied) => {
      send(ws, errorFrame(denied.code, denied.message));
      ws.close(denied.code === "UNAUTHORIZED" ? CLOSE_CODES.UNAUTHORIZED : CLOSE_CODES.FORBIDDEN, denied.message);
    };
    const revoked: Denied = { ok: false, code: "UNAUTHORIZED", message: "Invalid or revoked API key" };
    if (!caller) return refuse(revoked);
    const early = this.session.ownership.check(caller, { claim: false, allowNew: true });
    if (early) return refuse(early);
    if (!(await this.registerSocket(caller, sessionId))) return refuse(revoked);
    // Authenticating claims an unowned session, so no other key can take it over while this socket listens.
    const denied = this.session.ownership.check(caller, { claim: true });
    if (denied) return refuse(denied);
    if (!this.session.store.getMeta("session_id")) this.session.store.setMeta("session_id", sessionId);
    // From here to `authenticated` nothing awaits: what the client missed goes out before any live frame.
    this.session.sockets.authenticate(ws, { ...state, sessionId, caller });
    for (const entry of frame.resume ?? []) {
      for (const missed of catchUpFrames(this.session.store, this.session.turns, sessionId, entry) ?? []) send(ws, missed);
    }
    const moved = frame.active_leaf_id === undefined ? undefined : this.session.tree.changeSince(frame.active_leaf_id);
    if (moved) send(ws, branchFrame(sessionId, moved));
    send(ws, { type: "authenticated", session_id: sessionId });
  }

  /**
   * Records which sessions a key has sockets in, so revoking the key can close them, then checks the
   * key again: a revocation that read the record before it was written is still caught here.
   */
  private async registerSocket(caller: Caller, sessionId: string): Promise<boolean> {
    if (caller.keyId === ADMIN_KEY_ID) return true;
    const db = getDb(this.session.env.DB);
    await registerSocketSession(db, caller.keyId, sessionId, new Date().toISOString());
    const key = await getKey(db, caller.keyId);
    return key !== undefined && key.revokedAt === null;
  }

  private async onMessage(ws: WebSocket, caller: Caller, frame: Extract<ClientFrame, { type: "message" }>): Promise<void> {
    const sessionId = this.session.store.getMeta("session_id")!;
    if (frame.client_message_id && this.replayDuplicate(ws, frame.client_message_id)) return;
    const prepared = await this.session.prepare({
      sessionId,
      caller,
      action: { kind: "message", text: frame.content },
      characterId: frame.character_id,
      userName: frame.metadata?.user_name,
      userId: frame.metadata?.user_id,
      includeHistory: true,
      media: frame.media,
      clientMessageId: frame.client_message_id,
    });
    if (!prepared.ok)
      return send(ws, errorFrame(prepared.code, prepared.message, frame.client_message_id ? { client_message_id: frame.client_message_id } : {}));
    // Not awaited: the socket's next frames (a cancel, say) must be read while the reply streams.
    void this.session.turns.run(
      prepared.value,
      () => this.session.ownership.check(caller, { claim: true }),
      undefined,
      (error) => send(ws, error),
    );
  }

  /** regenerate, edit, continue and select: replies stream like any turn; every change sends `branch` frames. */
  private async onTreeFrame(
    ws: WebSocket,
    caller: Caller,
    frame: Extract<ClientFrame, { type: "regenerate" | "edit" | "continue" | "select" }>,
  ): Promise<void> {
    const ids = frame.client_message_id ? { client_message_id: frame.client_message_id } : {};
    if (frame.client_message_id && this.replayDuplicate(ws, frame.client_message_id)) return;
    if (frame.queue === false && this.session.turns.busy) {
      return send(
        ws,
        errorFrame("CONFLICT", `A reply is being generated: send the ${frame.type} again when it ends, or without "queue": false to wait its turn`, ids),
      );
    }
    const refuse = (outcome: Outcome<unknown>) => !outcome.ok && send(ws, errorFrame(outcome.code, outcome.message, ids));
    // Not awaited, as turns are not: the socket's next frames must be read while this one waits its turn.
    if (frame.type === "select") {
      void this.session.betweenTurns(caller, (sessionId) => this.session.branches.select(sessionId, frame.message_id, frame.client_message_id)).then(refuse);
      return;
    }
    if (frame.type === "edit" && (frame.regenerate === false || this.session.store.row(frame.message_id)?.role === "assistant")) {
      void this.session
        .betweenTurns(caller, (sessionId) => this.session.branches.editStored(sessionId, frame.message_id, frame.content, frame.client_message_id))
        .then(refuse);
      return;
    }
    const prepared = await this.session.prepare({
      sessionId: this.session.store.getMeta("session_id")!,
      caller,
      action: frame.type === "edit" ? { kind: "edit", messageId: frame.message_id, text: frame.content } : { kind: frame.type, messageId: frame.message_id },
      userName: frame.metadata?.user_name,
      userId: frame.metadata?.user_id,
      includeHistory: true,
      media: frame.media,
      clientMessageId: frame.client_message_id,
    });
    if (!prepared.ok) return void refuse(prepared);
    void this.session.turns.run(
      prepared.value,
      () => this.session.ownership.check(caller, { claim: false }),
      undefined,
      (error) => send(ws, error),
    );
  }

  /** A message re-sent after a reconnect: answer with what became of the first one, never a second turn. */
  private replayDuplicate(ws: WebSocket, clientMessageId: string): boolean {
    const frames = catchUpFrames(this.session.store, this.session.turns, this.session.store.getMeta("session_id")!, {
      client_message_id: clientMessageId,
      last_seq: -1,
    });
    for (const frame of frames ?? []) send(ws, frame);
    return frames !== undefined;
  }

  private onResume(ws: WebSocket, replyId: string, lastSeq: number): void {
    const frames = catchUpFrames(this.session.store, this.session.turns, this.session.store.getMeta("session_id")!, { message_id: replyId, last_seq: lastSeq });
    for (const frame of frames ?? []) send(ws, frame);
  }
}
