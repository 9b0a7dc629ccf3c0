import { AUTH_TIMEOUT_MS, CLOSE_CODES } from "../../../shared/schemas/realtime";
import { randomId } from "../../../shared/crypto";
import { errorFrame } from "../../realtime/frames";
import { parseClientFrame } from "../../realtime/parse-frame";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import type { Env } from "../../env";

// A close code a peer may send: 1000 or an application code; 1005/1006 are only ever observed.
const sendable = (code: number) => (code === 1000 || (code >= 3000 && code < 5000) ? code : 1000);

/**
 * The reference's flow names the session only in the first `auth` frame, after the socket is open, so
 * the Worker cannot route the upgrade to a session's Durable Object. The lobby accepts the socket,
 * reads frames until `auth` (buffering what follows it, so back-to-back auth + message loses nothing),
 * then connects to the session's object and relays both ways. Relaying keeps this Worker invocation
 * alive for the connection's life; clients that pass `?session_id=` skip the lobby and connect to the
 * Durable Object directly, where idle sockets hibernate.
 */
export function lobby(env: Env, ip: string | undefined): Response {
  const { 0: client, 1: socket } = new WebSocketPair();
  socket.accept();
  const buffered: (string | ArrayBuffer)[] = [];
  let upstream: WebSocket | undefined;
  let connecting = false;
  const timer = setTimeout(() => socket.close(CLOSE_CODES.AUTH_TIMEOUT, "authentication timeout"), AUTH_TIMEOUT_MS);

  socket.addEventListener("message", (event) => {
    if (upstream) return relay(upstream, event.data);
    if (connecting) return void buffered.push(event.data);
    const parsed = parseClientFrame(event.data);
    if (!parsed.ok) return socket.send(JSON.stringify(parsed.error));
    if (parsed.frame.type !== "auth") return socket.send(JSON.stringify(errorFrame("UNAUTHORIZED", "Send an auth frame before anything else")));
    connecting = true;
    const sessionId = parsed.frame.session_id ?? randomId("sess_");
    void connect(env, sessionId, ip).then(
      (ws) => {
        clearTimeout(timer);
        upstream = ws;
        ws.addEventListener("message", (e) => relay(socket, e.data));
        ws.addEventListener("close", (e) => socket.close(sendable(e.code), e.reason));
        ws.send(JSON.stringify({ ...parsed.frame, session_id: sessionId }));
        for (const frame of buffered.splice(0)) ws.send(frame);
      },
      () => socket.close(1011, "session unavailable"),
    );
  });
  socket.addEventListener("close", (event) => {
    clearTimeout(timer);
    upstream?.close(sendable(event.code), event.reason);
  });
  return new Response(null, { status: 101, webSocket: client });
}

/** One side closed while the other was still talking: its close handler ends the other side. */
function relay(to: WebSocket, data: string | ArrayBuffer): void {
  try {
    to.send(data);
  } catch {
    // already closed
  }
}

async function connect(env: Env, sessionId: string, ip: string | undefined): Promise<WebSocket> {
  const url = `https://session.internal/ws?session_id=${encodeURIComponent(sessionId)}`;
  const headers: Record<string, string> = { Upgrade: "websocket", ...(ip ? { "CF-Connecting-IP": ip } : {}) };
  const response = await sessionStub(env, sessionId).fetch(url, { headers });
  const ws = response.webSocket;
  if (!ws) throw new Error(`session refused the socket: ${response.status}`);
  ws.accept();
  return ws;
}
