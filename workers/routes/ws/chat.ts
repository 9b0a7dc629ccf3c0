import { createRoute, z } from "@hono/zod-openapi";
import { SessionId } from "../../../shared/schemas/common";
import { ApiError } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses } from "../openapi";
import { clientAddress } from "../../middleware/client-address";
import { lobby } from "./lobby";

const route = createRoute({
  method: "get",
  path: "/chat",
  summary: "Chat over a WebSocket (upgrade); authenticate with the first frame",
  description:
    "Send `auth` {token, session_id, resume?}, then `message` frames; receive `authenticated`, `user_message`, `typing`, `response_chunk`, `response`, `media` and `error` frames (docs/realtime.md). After a reconnect, list unanswered turns in `auth.resume`: what was missed comes before `authenticated` and any live frame. With `?session_id=` the socket connects straight to the session's Durable Object and hibernates when idle.",
  request: { query: z.object({ session_id: SessionId.optional() }) },
  responses: {
    101: { description: "Switching protocols: the WebSocket is open" },
    400: errorResponses[400],
  },
});

/**
 * `GET /api/v1/ws/chat`: the reference's WebSocket. Authentication happens in the first frame
 * (`auth`), not in headers, since browsers cannot set headers on a WebSocket.
 */
export const wsRoutes = createRouter().openapi(route, (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("INVALID_REQUEST", "This endpoint speaks WebSocket: connect with an Upgrade: websocket request");
  }
  const { session_id } = c.req.valid("query");
  if (session_id === undefined) return lobby(c.env, clientAddress(c));
  return sessionStub(c.env, session_id).fetch(c.req.raw);
});
