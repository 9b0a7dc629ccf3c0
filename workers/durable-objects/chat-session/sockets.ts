import { AUTH_TIMEOUT_MS, CLOSE_CODES, type ServerFrame } from "../../../shared/schemas/realtime";
import type { Caller } from "../../auth/caller";
import { encode } from "./protocol";

/** Per-socket state, kept in the socket's attachment so it survives hibernation. */
export interface SocketState {
  connectedAt: number;
  caller?: Caller;
}

export const stateOf = (ws: WebSocket): SocketState => ws.deserializeAttachment() as SocketState;
export const setState = (ws: WebSocket, state: SocketState) => ws.serializeAttachment(state);

export function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(encode(frame));
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** The session's sockets as the runtime tracks them (hibernated ones included). */
export class Sockets {
  constructor(private readonly ctx: DurableObjectState) {}

  accept(ws: WebSocket): void {
    this.ctx.acceptWebSocket(ws);
    setState(ws, { connectedAt: Date.now() });
  }

  authenticated(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => stateOf(ws)?.caller);
  }

  broadcast(frame: ServerFrame): void {
    for (const ws of this.authenticated()) send(ws, frame);
  }

  /** Closes sockets that did not authenticate in time; answers when the next one is due, if any. */
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
}
