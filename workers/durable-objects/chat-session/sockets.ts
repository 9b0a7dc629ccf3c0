import { AUTH_TIMEOUT_MS, CLOSE_CODES, type ServerFrame } from "../../../shared/schemas/realtime";
import type { Caller } from "../../auth/caller";
import { encodeFrame } from "../../realtime/frames";

/** Per-socket state, kept in the socket's attachment so it survives hibernation. */
export interface SocketState {
  connectedAt: number;
  /** The session the socket was opened for (`?session_id=`), if it named one. */
  sessionId?: string;
  /** The client's address (CF-Connecting-IP), for the failed-authentication limit. */
  ip?: string;
  caller?: Caller;
}

// Attachments are deserialized once per socket object (a woken object gets new ones), not per frame.
const states = new WeakMap<WebSocket, SocketState>();

export function stateOf(ws: WebSocket): SocketState {
  let state = states.get(ws);
  if (!state) {
    state = ws.deserializeAttachment() as SocketState;
    if (state) states.set(ws, state);
  }
  return state;
}

export function setState(ws: WebSocket, state: SocketState): void {
  ws.serializeAttachment(state);
  states.set(ws, state);
}

export function send(ws: WebSocket, frame: ServerFrame | string): void {
  try {
    ws.send(typeof frame === "string" ? frame : encodeFrame(frame));
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** The session's sockets as the runtime tracks them (hibernated ones included). */
export class Sockets {
  private authDeadline?: ReturnType<typeof setTimeout>;

  constructor(private readonly ctx: DurableObjectState) {}

  /**
   * Accepts a socket without touching storage (nothing is stored for a socket that never
   * authenticates). The auth deadline is an in-memory timer, not an alarm; a pending timer also keeps
   * the object awake, so it runs only while some socket has yet to authenticate.
   */
  accept(ws: WebSocket, sessionId: string | undefined, ip: string | undefined): void {
    this.ctx.acceptWebSocket(ws);
    setState(ws, { connectedAt: Date.now(), ...(sessionId ? { sessionId } : {}), ...(ip ? { ip } : {}) });
    this.watchAuthDeadlines();
  }

  /** Marks a socket authenticated as `caller`. */
  authenticate(ws: WebSocket, state: SocketState): void {
    setState(ws, state);
    this.watchAuthDeadlines();
  }

  /** Authenticated sockets that `mayHear` lets through (the session's owner and admins). */
  authenticated(mayHear: (caller: Caller) => boolean = () => true): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => {
      const caller = stateOf(ws)?.caller;
      return caller !== undefined && mayHear(caller);
    });
  }

  broadcast(frame: ServerFrame, mayHear: (caller: Caller) => boolean): void {
    const listeners = this.authenticated(mayHear);
    if (listeners.length === 0) return;
    // Encoded once for every listener: a reply's chunks go to each of the session's sockets.
    const text = encodeFrame(frame);
    for (const ws of listeners) send(ws, text);
  }

  /** Closes the sockets of one key (revoked): each gets a last error frame, then 4001. Answers how many. */
  closeKey(keyId: string, frame: ServerFrame): number {
    const sockets = this.authenticated((caller) => caller.keyId === keyId);
    for (const ws of sockets) {
      send(ws, frame);
      ws.close(CLOSE_CODES.UNAUTHORIZED, "API key revoked");
    }
    return sockets.length;
  }

  /** Closes the sockets that did not authenticate by `now`'s deadline; answers the next deadline, if any. */
  closeUnauthenticated(now: number): number | undefined {
    let next: number | undefined;
    for (const ws of this.ctx.getWebSockets()) {
      const state = stateOf(ws);
      if (!state || state.caller) continue;
      const deadline = state.connectedAt + AUTH_TIMEOUT_MS;
      if (deadline <= now) ws.close(CLOSE_CODES.AUTH_TIMEOUT, "authentication timeout");
      else next = Math.min(next ?? deadline, deadline);
    }
    return next;
  }

  private watchAuthDeadlines(): void {
    clearTimeout(this.authDeadline);
    this.authDeadline = undefined;
    const next = this.closeUnauthenticated(Date.now());
    if (next !== undefined) this.authDeadline = setTimeout(() => this.watchAuthDeadlines(), next - Date.now());
  }
}
