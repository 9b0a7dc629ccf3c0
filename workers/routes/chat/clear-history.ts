import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { ClearHistoryResponse } from "../../../shared/schemas/chat";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { existingSessionShape, SessionParams } from "../session-param";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "delete",
  path: "/history/{session_id}",
  summary: "Clear a session's conversation",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(ClearHistoryResponse, "The history was cleared", examples.clearHistoryResponse), ...errorResponses },
});

export const clearHistory = createRouter().openapi(route, async (c) => {
  const session_id = existingSessionShape(c.req.valid("param").session_id);
  const { cleared_at } = unwrap(await sessionStub(c.env, session_id).clear(c.get("caller")));
  return c.json({ message: "Conversation history cleared successfully", session_id, cleared_at }, 200);
});
