import { Hono } from "hono";
import { SessionId } from "../../../shared/schemas/common";
import { ApiError } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import type { AppEnv } from "../../env";
import { lobby } from "./lobby";

/**
 * `GET /api/v1/ws/chat`: the reference's WebSocket. Authentication happens in the first frame
 * (`auth`), not in headers, since browsers cannot set headers on a WebSocket.
 */
export const wsRoutes = new Hono<AppEnv>().get("/chat", (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("INVALID_REQUEST", "This endpoint speaks WebSocket: connect with an Upgrade: websocket request");
  }
  const sessionId = c.req.query("session_id");
  if (sessionId === undefined) return lobby(c.env);
  if (!SessionId.safeParse(sessionId).success) throw new ApiError("INVALID_REQUEST", "Invalid session_id");
  return sessionStub(c.env, sessionId).fetch(c.req.raw);
});
