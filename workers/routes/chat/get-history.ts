import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { HistoryQuery, HistoryResponse } from "../../../shared/schemas/chat";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { existingSessionShape, SessionParams } from "../session-param";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/history/{session_id}",
  summary: "A page of a session's conversation (chronological; offset counts from the oldest)",
  request: { params: SessionParams, query: HistoryQuery },
  responses: { 200: jsonResponse(HistoryResponse, "A page of messages", examples.historyResponse), ...errorResponses },
});

export const getHistory = createRouter().openapi(route, async (c) => {
  const session_id = existingSessionShape(c.req.valid("param").session_id);
  const page = unwrap(await sessionStub(c.env, session_id).history(c.get("caller"), c.req.valid("query")));
  return c.json({ session_id, ...page }, 200);
});
